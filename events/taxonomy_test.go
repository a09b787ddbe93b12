package events_test

import (
	"regexp"
	"testing"

	"github.com/peaceops/peaceops/events"
)

// acledCodebook is ACLED's table of event types and sub-event types,
// exactly as the codebook names them.
var acledCodebook = map[string][]string{
	"Battles":                    {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
	"Explosions/Remote violence": {"Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"},
	"Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
	"Protests":                   {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
	"Riots":                      {"Violent demonstration", "Mob violence"},
	"Strategic developments":     {"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"},
}

func TestTaxonomyCoversACLED(t *testing.T) {
	n := 0
	seen := map[events.Type]bool{}
	for et, subs := range acledCodebook {
		for _, sub := range subs {
			n++
			typ, ok := events.TypeFromACLED(et, sub)
			if !ok {
				t.Errorf("ACLED %s / %s has no type", et, sub)
				continue
			}
			info, _ := typ.Info()
			if info.ACLEDEventType != et || info.ACLEDSubEventType != sub || info.Category == events.CategoryMission {
				t.Errorf("%s maps back to %q / %q", typ, info.ACLEDEventType, info.ACLEDSubEventType)
			}
			if seen[typ] {
				t.Errorf("%s used twice", typ)
			}
			seen[typ] = true
		}
	}
	if n != 25 || len(acledCodebook) != 6 {
		t.Fatalf("codebook table has %d sub-event types in %d event types", n, len(acledCodebook))
	}
	if typ, ok := events.TypeFromACLED("  violence AGAINST civilians ", "abduction/forced  disappearance"); !ok || typ != events.Abduction {
		t.Errorf("case- and space-insensitive lookup = %s, %v", typ, ok)
	}
	if _, ok := events.TypeFromACLED("Battles", "Other"); ok {
		t.Error("Battles / Other resolved")
	}
}

func TestTaxonomyUCDP(t *testing.T) {
	for _, tt := range []struct {
		v    events.UCDPViolence
		want events.Type
		name string
	}{
		{events.UCDPStateBased, events.ArmedClash, "state-based"},
		{events.UCDPNonState, events.ArmedClash, "non-state"},
		{events.UCDPOneSided, events.Attack, "one-sided"},
	} {
		if got, ok := events.TypeFromUCDP(tt.v); !ok || got != tt.want || tt.v.String() != tt.name {
			t.Errorf("TypeFromUCDP(%d) = %s, %v (%s)", tt.v, got, ok, tt.v)
		}
	}
	if _, ok := events.TypeFromUCDP(4); ok {
		t.Error("type_of_violence 4 resolved")
	}
}

func TestTaxonomyMissionTypes(t *testing.T) {
	want := []events.Type{
		"mission.ceasefire_violation", "mission.attack_on_peacekeepers", "mission.ied_explosive",
		"mission.abduction", "mission.sexual_violence", "mission.protest_riot", "mission.displacement",
		"mission.humanitarian_access_incident", "mission.troop_movement", "mission.rising_tensions",
		"mission.crime", "mission.hijacking",
	}
	var got []events.Type
	for _, info := range events.Taxonomy() {
		if info.Category == events.CategoryMission {
			got = append(got, info.Type)
		}
	}
	if jsonString(t, got) != jsonString(t, want) {
		t.Errorf("mission types %v", got)
	}
}

func TestTaxonomyWellFormed(t *testing.T) {
	code := regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)
	all := events.Taxonomy()
	if len(all) != 37 {
		t.Errorf("%d types, want 25 ACLED + 12 mission", len(all))
	}
	labels := map[string]bool{}
	for _, info := range all {
		if !code.MatchString(string(info.Type)) || info.Type.Category() != info.Category || !info.Category.Valid() {
			t.Errorf("%s: bad code or category %s", info.Type, info.Category)
		}
		if info.Label == "" || info.LabelFR == "" {
			t.Errorf("%s: missing label", info.Type)
		}
		if !info.Type.Valid() {
			t.Errorf("%s not Valid", info.Type)
		}
		if (info.ACLEDEventType == "") != (info.ACLEDSubEventType == "") {
			t.Errorf("%s: half an ACLED mapping", info.Type)
		}
		if got, ok := events.TypeFromLabel(info.Label); !ok || (got != info.Type && labels[info.Label]) {
			t.Errorf("label %q resolves to %s", info.Label, got)
		}
		labels[info.Label] = true
	}
	for _, c := range events.Categories() {
		if !c.Category.Valid() || c.Label == "" || c.LabelFR == "" {
			t.Errorf("category %+v", c)
		}
	}
	if events.Type("battles").Valid() || !events.Category("battles").Valid() {
		t.Error("a category is not a type")
	}
	if !events.Grenade.Matches("explosions") || !events.Grenade.Matches(events.Grenade) || events.Grenade.Matches("battles") {
		t.Error("Matches")
	}
}

func TestTypeFromLabel(t *testing.T) {
	for label, want := range map[string]events.Type{
		"Ceasefire violation":              events.CeasefireViolation,
		"violation du cessez-le-feu":       events.CeasefireViolation,
		"Sexual violence":                  events.MissionSexualViolence, // shared label: the mission type
		"Attack":                           events.Attack,
		"Frappe aérienne ou de drone":      events.AirDroneStrike,
		"  mob   violence ":                events.MobViolence,
		"Attaque contre des Casques bleus": events.AttackOnPeacekeepers,
	} {
		if got, ok := events.TypeFromLabel(label); !ok || got != want {
			t.Errorf("TypeFromLabel(%q) = %s, %v; want %s", label, got, ok, want)
		}
	}
}
