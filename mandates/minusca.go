package mandates

import (
	"context"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
)

// MINUSCA's resolution chain, entered as data from the Security Council
// resolutions themselves (the United Nations Official Document System,
// https://undocs.org/S/RES/<number>(<year>), public). SOURCE.md in this
// folder lists what each record holds and what was deliberately left out.
//
// Ceilings follow the resolutions' own wording: "N military personnel,
// including M military observers and military staff officers" is
// military_total N, military_observers M and military (contingent troops)
// N - M; "P police personnel, including F formed police unit personnel and
// I individual police officers" is police_total P, police_fpu F and
// police_ipo I. A figure not stated here was left out rather than guessed.

// seedTask is a task of a seeded resolution; key names it for the next
// resolution's lineage, prev the key of the task it takes up.
type seedTask struct {
	key, prev string
	lineage   Lineage
	title     string
	category  Category
	priority  bool
}

type seedResolution struct {
	symbol              string
	adopted, start, end string
	ceilings            map[string]int
	note                string
	tasks               []seedTask
}

// minuscaTasks2022 are the tasks of the resolutions of 2022 to 2024: the
// four priority tasks, then the others.
func minuscaTasks2022(lineage Lineage) []seedTask {
	prev := func(k string) string {
		if lineage == LineageNew {
			return ""
		}
		return k
	}
	t := func(key, title string, c Category, priority bool) seedTask {
		return seedTask{key: key, prev: prev(key), lineage: lineage, title: title, category: c, priority: priority}
	}
	return []seedTask{
		t("poc", "Protection of civilians", CategoryPoC, true),
		t("peace", "Good offices and support to the peace process, including the implementation of the Political Agreement for Peace and Reconciliation in the Central African Republic and the Luanda Joint Roadmap", CategoryPoliticalProcess, true),
		t("humanitarian", "Support for the creation of a secure environment for the immediate, full, safe and unhindered delivery of humanitarian assistance", CategoryHumanitarianAccess, true),
		t("un", "Protection of United Nations personnel, installations, equipment and goods", CategoryProtectionUN, true),
		t("state", "Support for the extension of State authority, the deployment of security forces and the preservation of territorial integrity", CategoryStateAuthority, false),
		t("ssr", "Support for security sector reform", CategorySSR, false),
		t("ddr", "Disarmament, demobilization, reintegration and repatriation (DDR/DDRR)", CategoryDDR, false),
		t("hr", "Promotion and protection of human rights", CategoryHumanRights, false),
		t("justice", "Support for national and international justice, the fight against impunity and the rule of law", CategoryRuleOfLaw, false),
	}
}

const (
	noteDoc        = "Symbol, adoption date, mandate end and Chapter VII from the text of the resolution (undocs.org). "
	noteStart      = "The period starts the day after the previous mandate ended. "
	noteNoTasks    = "Mandated tasks not entered for this resolution. "
	noteNoParas    = "Paragraph numbers not entered. "
	noteBreakdown  = "Only the military and police totals are entered: the breakdown into observers and staff officers, formed police units and individual police officers, and the corrections officers, are left out because they were not verified. "
	noteCeilings17 = "Ceilings: 11,650 military personnel including 480 military observers and staff officers (contingent troops 11,170), 2,080 police personnel including 1,680 formed police unit personnel and 400 individual police officers, and 108 corrections officers. "
)

var minuscaChain = []seedResolution{
	{symbol: "S/RES/2149 (2014)", adopted: "2014-04-10", start: "2014-04-10", end: "2015-04-30",
		ceilings: map[string]int{CeilingMilitaryTotal: 10000, CeilingMilitaryObservers: 440, CeilingMilitary: 9560,
			CeilingPoliceTotal: 1800, CeilingPoliceFPU: 1400, CeilingPoliceIPO: 400},
		note: noteDoc + "Established MINUSCA for an initial period until 30 April 2015. Ceilings: 10,000 military personnel including 240 military observers and 200 staff officers (observers and staff officers 440; contingent troops 9,560), 1,800 police personnel including 1,400 formed police unit personnel and 400 individual police officers. Corrections officers not entered. The initial priority tasks are entered. " + noteNoParas,
		tasks: []seedTask{
			{key: "poc", title: "Protection of civilians", category: CategoryPoC, priority: true},
			{key: "transition", title: "Support for the implementation of the transition process, including efforts in favour of the extension of State authority and the preservation of territorial integrity", category: CategoryPoliticalProcess, priority: true},
			{key: "humanitarian", title: "Facilitate the immediate, full, safe and unhindered delivery of humanitarian assistance", category: CategoryHumanitarianAccess, priority: true},
			{key: "un", title: "Protection of the United Nations", category: CategoryProtectionUN, priority: true},
			{key: "hr", title: "Promotion and protection of human rights", category: CategoryHumanRights, priority: true},
			{key: "justice", title: "Support for national and international justice and the rule of law", category: CategoryRuleOfLaw, priority: true},
			{key: "ddr", title: "Disarmament, demobilization and reintegration (DDR) and repatriation (DDRR)", category: CategoryDDR, priority: true},
		}},
	{symbol: "S/RES/2217 (2015)", adopted: "2015-04-28", start: "2015-05-01", end: "2016-04-30",
		ceilings: map[string]int{CeilingMilitaryTotal: 10750, CeilingMilitaryObservers: 480, CeilingMilitary: 10270,
			CeilingPoliceTotal: 2080, CeilingPoliceFPU: 1680, CeilingPoliceIPO: 400},
		note: noteDoc + noteStart + "Ceilings: 10,750 military personnel including 480 military observers and staff officers (contingent troops 10,270), 2,080 police personnel including 1,680 formed police unit personnel and 400 individual police officers. Corrections officers not entered. " + noteNoTasks},
	{symbol: "S/RES/2301 (2016)", adopted: "2016-07-26", start: "2016-08-01", end: "2017-11-15",
		ceilings: map[string]int{CeilingMilitaryTotal: 10750, CeilingMilitaryObservers: 480, CeilingMilitary: 10270,
			CeilingPoliceTotal: 2080, CeilingPoliceFPU: 1680, CeilingPoliceIPO: 400, CeilingCorrections: 108},
		note: noteDoc + "The technical rollover S/RES/2281 (2016), which extended the mandate to 31 July 2016, is not entered. Ceilings: 10,750 military personnel including 480 military observers and staff officers (contingent troops 10,270), 2,080 police personnel including 1,680 formed police unit personnel and 400 individual police officers, and 108 corrections officers. " + noteNoTasks},
	{symbol: "S/RES/2387 (2017)", adopted: "2017-11-15", start: "2017-11-16", end: "2018-11-15",
		ceilings: ceilings2017(), note: noteDoc + noteStart + "Raised the military ceiling by 900. " + noteCeilings17 + noteNoTasks},
	{symbol: "S/RES/2448 (2018)", adopted: "2018-12-13", start: "2018-12-16", end: "2019-11-15",
		ceilings: ceilings2017(), note: noteDoc + "The technical rollover S/RES/2446 (2018), which extended the mandate to 15 December 2018, is not entered. " + noteCeilings17 + noteNoTasks},
	{symbol: "S/RES/2499 (2019)", adopted: "2019-11-15", start: "2019-11-16", end: "2020-11-15",
		ceilings: ceilings2017(), note: noteDoc + noteStart + noteCeilings17 + noteNoTasks},
	{symbol: "S/RES/2552 (2020)", adopted: "2020-11-12", start: "2020-11-16", end: "2021-11-15",
		ceilings: ceilings2017(), note: noteDoc + noteStart + noteCeilings17 + noteNoTasks},
	{symbol: "S/RES/2566 (2021)", adopted: "2021-03-12", start: "2021-03-12", end: "2021-11-15",
		ceilings: map[string]int{CeilingMilitaryTotal: 14400, CeilingPoliceTotal: 3020},
		note:     noteDoc + "Not a renewal: it raised the ceilings by 2,750 military and 940 police personnel within the mandate period set by S/RES/2552 (2020), and is entered for the rest of that period so that the ceilings in force are right. " + noteBreakdown + noteNoTasks},
	{symbol: "S/RES/2605 (2021)", adopted: "2021-11-12", start: "2021-11-16", end: "2022-11-15",
		ceilings: ceilings2021(), note: noteDoc + noteStart + "Ceilings: 14,400 military and 3,020 police personnel. " + noteBreakdown + noteNoTasks},
	{symbol: "S/RES/2659 (2022)", adopted: "2022-11-14", start: "2022-11-16", end: "2023-11-15",
		ceilings: ceilings2021(), tasks: minuscaTasks2022(LineageNew),
		note: noteDoc + noteStart + "Ceilings: 14,400 military and 3,020 police personnel. " + noteBreakdown + "Tasks are entered from this resolution on, the four priority tasks first; their lineage to earlier resolutions is not recorded, so they are entered as new. " + noteNoParas},
	{symbol: "S/RES/2709 (2023)", adopted: "2023-11-13", start: "2023-11-16", end: "2024-11-15",
		ceilings: ceilings2021(), tasks: minuscaTasks2022(LineageContinues),
		note: noteDoc + noteStart + "Ceilings: 14,400 military and 3,020 police personnel. " + noteBreakdown + "Tasks as in S/RES/2659 (2022); electoral support is not entered. " + noteNoParas},
	{symbol: "S/RES/2759 (2024)", adopted: "2024-11-14", start: "2024-11-16", end: "2025-11-15",
		ceilings: ceilings2021(), tasks: minuscaTasks2022(LineageContinues),
		note: noteDoc + noteStart + "Ceilings: 14,400 military and 3,020 police personnel. " + noteBreakdown + "Tasks as in S/RES/2709 (2023); electoral support is not entered. " + noteNoParas},
}

func ceilings2017() map[string]int {
	return map[string]int{CeilingMilitaryTotal: 11650, CeilingMilitaryObservers: 480, CeilingMilitary: 11170,
		CeilingPoliceTotal: 2080, CeilingPoliceFPU: 1680, CeilingPoliceIPO: 400, CeilingCorrections: 108}
}

func ceilings2021() map[string]int {
	return map[string]int{CeilingMilitaryTotal: 14400, CeilingPoliceTotal: 3020}
}

// documentURL is the address of a resolution's text in the United Nations
// Official Document System: S/RES/2149 (2014) is
// https://undocs.org/S/RES/2149(2014).
func documentURL(symbol string) string {
	return "https://undocs.org/" + strings.ReplaceAll(symbol, " ", "")
}

// SeedMINUSCA records MINUSCA's resolution chain (see SOURCE.md), from
// S/RES/2149 (2014) which established the mission to S/RES/2759 (2024),
// as the actor of ctx (the demo uses the system actor). The mission
// MINUSCA must exist. Resolutions already recorded (by symbol) are kept as
// they are, so seeding twice changes nothing.
func SeedMINUSCA(ctx context.Context, s *Service) error {
	const mission = "MINUSCA"
	existing, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return fmt.Errorf("mandates: seed %s: %w", mission, err)
	}
	bySymbol := map[string]*Resolution{}
	for _, r := range existing {
		bySymbol[r.Symbol] = r
	}
	prevIDs := map[string]string{} // task key -> id, of the previous resolution
	for _, sr := range minuscaChain {
		r, ok := bySymbol[sr.symbol]
		if !ok {
			if r, err = sr.resolution(mission, prevIDs); err != nil {
				return err
			}
			if err := s.CreateResolution(ctx, r); err != nil {
				return fmt.Errorf("mandates: seed %s: %w", sr.symbol, err)
			}
		}
		prevIDs = map[string]string{}
		for i, t := range sr.tasks {
			if i < len(r.Tasks) {
				prevIDs[t.key] = r.Tasks[i].ID
			}
		}
	}
	return nil
}

func (sr seedResolution) resolution(mission string, prevIDs map[string]string) (*Resolution, error) {
	date := func(s string) peaceops.Date {
		d, err := peaceops.ParseDate(s)
		if err != nil {
			panic("mandates: bad seed date " + s) // the data above is fixed
		}
		return d
	}
	r := &Resolution{Mission: mission, Symbol: sr.symbol, Adopted: date(sr.adopted), PeriodStart: date(sr.start),
		PeriodEnd: date(sr.end), ChapterVII: true, DocumentURL: documentURL(sr.symbol), SourceNote: strings.TrimSpace(sr.note),
		Ceilings: maps(sr.ceilings), Classification: peaceops.Public}
	for _, t := range sr.tasks {
		task := Task{Title: t.title, Category: t.category, Priority: t.priority, Lineage: t.lineage}
		if task.Lineage == "" {
			task.Lineage = LineageNew
		}
		if t.prev != "" {
			id, ok := prevIDs[t.prev]
			if !ok {
				return nil, fmt.Errorf("mandates: seed %s: task %q takes up %q, which the previous resolution does not have", sr.symbol, t.key, t.prev)
			}
			task.Previous = id
		}
		r.Tasks = append(r.Tasks, task)
	}
	return r, nil
}
