package results

import (
	"context"
	"encoding/json"

	"github.com/peaceops/peaceops"
)

// SeedDemo builds a results framework for a demo mission holding real
// events (the UCDP GED events of the Central African Republic in MINUSCA):
// an objective on the protection of civilians serving the mandated tasks
// pocTasks, whose indicators are computed from the events with baselines
// taken from the data (yearly values of baselineYear), and an objective on
// peacebuilding with the templates of every theme adopted, for the
// section "Civil Affairs". It runs as the actor of ctx (a planner, a
// mission-admin or the system) and fails, changing nothing more, on the
// first error.
func (s *Service) SeedDemo(ctx context.Context, mission string, pocTasks []string, baselineYear int) error {
	if pocTasks == nil {
		pocTasks = []string{}
	}
	poc := &Objective{Code: "OBJ-1", Title: "Civilians under threat of physical violence are protected", TaskIDs: pocTasks,
		Description: "Mandate priority: protection of civilians, with particular attention to women and children."}
	if err := s.CreateObjective(ctx, mission, poc); err != nil {
		return err
	}
	impact := &Result{ObjectiveID: poc.ID, Code: "ER-1.1", Level: LevelImpact, Title: "Violence against civilians declines"}
	if err := s.CreateResult(ctx, mission, impact); err != nil {
		return err
	}
	outcome := &Result{ObjectiveID: poc.ID, Code: "ER-1.2", Level: LevelOutcome, Title: "Threats to civilians are documented and verified"}
	if err := s.CreateResult(ctx, mission, outcome); err != nil {
		return err
	}
	base := peaceops.Date{Year: baselineYear, Month: 12, Day: 31}
	target := peaceops.Date{Year: baselineYear + 3, Month: 12, Day: 31}
	computed := []struct {
		result            *Result
		code, name, def   string
		unit              Unit
		direction         Direction
		targetShareOfBase float64
	}{
		{impact, "IND-1.1.1", "Civilian deaths (best estimate), country-wide",
			`{"source":"events","measure":"civilian_fatalities_best","filter":{}}`, UnitNumber, Lower, 0.5},
		{impact, "IND-1.1.2", "Civilian deaths (best estimate) in Ouaka",
			`{"source":"events","measure":"civilian_fatalities_best","filter":{"admin1":["CF43"]}}`, UnitNumber, Lower, 0.5},
		{impact, "IND-1.1.3", "Share of events that are violence against civilians",
			`{"source":"events","measure":"share","filter":{"types":["violence_against_civilians"]},"share_of":{}}`, UnitPercentage, Lower, 0.7},
		{outcome, "IND-1.2.1", "Events verified by the mission",
			`{"source":"events","measure":"count","filter":{"status":["verified"]}}`, UnitNumber, Higher, 0},
	}
	for _, c := range computed {
		in := &Indicator{ResultID: c.result.ID, Code: c.code, Name: c.name, Kind: KindImpact, Unit: c.unit, Direction: c.direction,
			BaselineDate: base, Frequency: Yearly, Computed: json.RawMessage(c.def), DataSource: "Mission events (UCDP GED and mission reports)",
			Targets: []Target{{Value: 0, Date: target}}}
		if c.result == outcome {
			in.Kind = KindOutcome
		}
		if err := in.Validate(); err != nil {
			return err
		}
		pts, err := s.newComputer(ctx, mission, peaceops.Date{Year: baselineYear, Month: 1, Day: 1}, base).series(in)
		if err != nil {
			return err
		}
		for _, p := range pts {
			if p.Period == PeriodOf(Yearly, base).Key {
				in.BaselineValue = p.Value
			}
		}
		in.Targets[0].Value = in.BaselineValue * c.targetShareOfBase
		if c.direction == Higher {
			in.Targets[0].Value = in.BaselineValue + 100
		}
		if err := s.CreateIndicator(ctx, mission, in); err != nil {
			return err
		}
	}
	pb := &Objective{Code: "OBJ-2", Title: "Conditions for sustainable peace are strengthened", TaskIDs: []string{}}
	if err := s.CreateObjective(ctx, mission, pb); err != nil {
		return err
	}
	long := &Result{ObjectiveID: pb.ID, Code: "ER-2.1", Level: LevelOutcome, Title: "State institutions, justice and social cohesion are strengthened"}
	if err := s.CreateResult(ctx, mission, long); err != nil {
		return err
	}
	_, err := s.Adopt(ctx, mission, Adoption{ResultID: long.ID, Themes: Themes, Section: "Civil Affairs",
		BaselineDate: peaceops.Date{Year: baselineYear + 1, Month: 7, Day: 1}})
	return err
}
