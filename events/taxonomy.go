package events

import (
	"strings"
)

// Type is a code of the event taxonomy, "<category>.<type>", e.g.
// "battles.armed_clash" or "mission.attack_on_peacekeepers". The taxonomy
// (docs/TAXONOMY.md) holds ACLED's 25 sub-event types under its 6 event
// types, which UCDP GED's three types of violence map onto, and the mission
// categories SAGE records.
type Type string

// Category is the first part of a Type, e.g. "battles".
type Category string

// Categories.
const (
	CategoryBattles                  Category = "battles"
	CategoryExplosions               Category = "explosions"
	CategoryViolenceAgainstCivilians Category = "violence_against_civilians"
	CategoryProtests                 Category = "protests"
	CategoryRiots                    Category = "riots"
	CategoryStrategicDevelopments    Category = "strategic_developments"
	CategoryMission                  Category = "mission"
)

// ACLED types (ACLED codebook, event types and sub-event types).
const (
	ArmedClash                      Type = "battles.armed_clash"
	GovernmentRegainsTerritory      Type = "battles.government_regains_territory"
	NonStateActorOvertakesTerritory Type = "battles.non_state_actor_overtakes_territory"

	ChemicalWeapon           Type = "explosions.chemical_weapon"
	AirDroneStrike           Type = "explosions.air_drone_strike"
	SuicideBomb              Type = "explosions.suicide_bomb"
	ShellingArtilleryMissile Type = "explosions.shelling_artillery_missile_attack"
	RemoteExplosiveIED       Type = "explosions.remote_explosive_landmine_ied"
	Grenade                  Type = "explosions.grenade"

	SexualViolence Type = "violence_against_civilians.sexual_violence"
	Attack         Type = "violence_against_civilians.attack"
	Abduction      Type = "violence_against_civilians.abduction_forced_disappearance"

	PeacefulProtest                 Type = "protests.peaceful_protest"
	ProtestWithIntervention         Type = "protests.protest_with_intervention"
	ExcessiveForceAgainstProtesters Type = "protests.excessive_force_against_protesters"

	ViolentDemonstration Type = "riots.violent_demonstration"
	MobViolence          Type = "riots.mob_violence"

	Agreement                     Type = "strategic_developments.agreement"
	Arrests                       Type = "strategic_developments.arrests"
	ChangeToGroupActivity         Type = "strategic_developments.change_to_group_activity"
	DisruptedWeaponsUse           Type = "strategic_developments.disrupted_weapons_use"
	HeadquartersOrBaseEstablished Type = "strategic_developments.headquarters_or_base_established"
	LootingPropertyDestruction    Type = "strategic_developments.looting_property_destruction"
	NonViolentTransferOfTerritory Type = "strategic_developments.non_violent_transfer_of_territory"
	OtherStrategicDevelopment     Type = "strategic_developments.other"
)

// Mission types: the categories a mission's JOC records in SAGE.
const (
	CeasefireViolation         Type = "mission.ceasefire_violation"
	AttackOnPeacekeepers       Type = "mission.attack_on_peacekeepers"
	IEDExplosive               Type = "mission.ied_explosive"
	MissionAbduction           Type = "mission.abduction"
	MissionSexualViolence      Type = "mission.sexual_violence"
	ProtestRiot                Type = "mission.protest_riot"
	Displacement               Type = "mission.displacement"
	HumanitarianAccessIncident Type = "mission.humanitarian_access_incident"
	TroopMovement              Type = "mission.troop_movement"
	RisingTensions             Type = "mission.rising_tensions"
	Crime                      Type = "mission.crime"
	Hijacking                  Type = "mission.hijacking"
)

// UCDPViolence is UCDP GED's type_of_violence.
type UCDPViolence int

const (
	UCDPStateBased UCDPViolence = 1 // state-based armed conflict
	UCDPNonState   UCDPViolence = 2 // non-state conflict
	UCDPOneSided   UCDPViolence = 3 // one-sided violence against civilians
)

// String returns UCDP's name of v ("state-based", "non-state", "one-sided").
func (v UCDPViolence) String() string {
	switch v {
	case UCDPStateBased:
		return "state-based"
	case UCDPNonState:
		return "non-state"
	case UCDPOneSided:
		return "one-sided"
	}
	return "unknown"
}

// TypeInfo describes one type of the taxonomy: its labels and its
// equivalents in ACLED and UCDP. For ACLED types the ACLED fields are the
// type itself; for mission types they are the nearest ACLED equivalent (a
// crosswalk for comparison, never used by imports), both empty when ACLED
// has none.
type TypeInfo struct {
	Type              Type           `json:"type"`
	Category          Category       `json:"category"`
	Label             string         `json:"label"`    // English
	LabelFR           string         `json:"label_fr"` // French
	ACLEDEventType    string         `json:"acled_event_type,omitempty"`
	ACLEDSubEventType string         `json:"acled_sub_event_type,omitempty"`
	UCDP              []UCDPViolence `json:"ucdp,omitempty"` // UCDP types of violence imported as this type
}

// CategoryInfo describes one category.
type CategoryInfo struct {
	Category Category `json:"category"`
	Label    string   `json:"label"`
	LabelFR  string   `json:"label_fr"`
}

var categories = []CategoryInfo{
	{CategoryBattles, "Battles", "Batailles"},
	{CategoryExplosions, "Explosions/Remote violence", "Explosions/Violence à distance"},
	{CategoryViolenceAgainstCivilians, "Violence against civilians", "Violence contre les civils"},
	{CategoryProtests, "Protests", "Manifestations"},
	{CategoryRiots, "Riots", "Émeutes"},
	{CategoryStrategicDevelopments, "Strategic developments", "Développements stratégiques"},
	{CategoryMission, "Mission incidents", "Incidents de mission"},
}

// taxonomy is in ACLED's hierarchical order (a higher sub-event type wins
// when one event has several), then the mission types.
var taxonomy = []TypeInfo{
	{ArmedClash, CategoryBattles, "Armed clash", "Affrontement armé", "Battles", "Armed clash", []UCDPViolence{UCDPStateBased, UCDPNonState}},
	{GovernmentRegainsTerritory, CategoryBattles, "Government regains territory", "Reprise de territoire par le gouvernement", "Battles", "Government regains territory", nil},
	{NonStateActorOvertakesTerritory, CategoryBattles, "Non-state actor overtakes territory", "Prise de territoire par un acteur non étatique", "Battles", "Non-state actor overtakes territory", nil},

	{ChemicalWeapon, CategoryExplosions, "Chemical weapon", "Arme chimique", "Explosions/Remote violence", "Chemical weapon", nil},
	{AirDroneStrike, CategoryExplosions, "Air/drone strike", "Frappe aérienne ou de drone", "Explosions/Remote violence", "Air/drone strike", nil},
	{SuicideBomb, CategoryExplosions, "Suicide bomb", "Attentat-suicide", "Explosions/Remote violence", "Suicide bomb", nil},
	{ShellingArtilleryMissile, CategoryExplosions, "Shelling/artillery/missile attack", "Bombardement, tir d'artillerie ou de missile", "Explosions/Remote violence", "Shelling/artillery/missile attack", nil},
	{RemoteExplosiveIED, CategoryExplosions, "Remote explosive/landmine/IED", "Explosif télécommandé, mine ou engin explosif improvisé (EEI)", "Explosions/Remote violence", "Remote explosive/landmine/IED", nil},
	{Grenade, CategoryExplosions, "Grenade", "Grenade", "Explosions/Remote violence", "Grenade", nil},

	{SexualViolence, CategoryViolenceAgainstCivilians, "Sexual violence", "Violence sexuelle", "Violence against civilians", "Sexual violence", nil},
	{Attack, CategoryViolenceAgainstCivilians, "Attack", "Attaque", "Violence against civilians", "Attack", []UCDPViolence{UCDPOneSided}},
	{Abduction, CategoryViolenceAgainstCivilians, "Abduction/forced disappearance", "Enlèvement ou disparition forcée", "Violence against civilians", "Abduction/forced disappearance", nil},

	{PeacefulProtest, CategoryProtests, "Peaceful protest", "Manifestation pacifique", "Protests", "Peaceful protest", nil},
	{ProtestWithIntervention, CategoryProtests, "Protest with intervention", "Manifestation avec intervention", "Protests", "Protest with intervention", nil},
	{ExcessiveForceAgainstProtesters, CategoryProtests, "Excessive force against protesters", "Usage excessif de la force contre des manifestants", "Protests", "Excessive force against protesters", nil},

	{ViolentDemonstration, CategoryRiots, "Violent demonstration", "Manifestation violente", "Riots", "Violent demonstration", nil},
	{MobViolence, CategoryRiots, "Mob violence", "Violence de foule", "Riots", "Mob violence", nil},

	{Agreement, CategoryStrategicDevelopments, "Agreement", "Accord", "Strategic developments", "Agreement", nil},
	{Arrests, CategoryStrategicDevelopments, "Arrests", "Arrestations", "Strategic developments", "Arrests", nil},
	{ChangeToGroupActivity, CategoryStrategicDevelopments, "Change to group/activity", "Changement de groupe ou d'activité", "Strategic developments", "Change to group/activity", nil},
	{DisruptedWeaponsUse, CategoryStrategicDevelopments, "Disrupted weapons use", "Usage d'armes déjoué", "Strategic developments", "Disrupted weapons use", nil},
	{HeadquartersOrBaseEstablished, CategoryStrategicDevelopments, "Headquarters or base established", "Établissement d'un quartier général ou d'une base", "Strategic developments", "Headquarters or base established", nil},
	{LootingPropertyDestruction, CategoryStrategicDevelopments, "Looting/property destruction", "Pillage ou destruction de biens", "Strategic developments", "Looting/property destruction", nil},
	{NonViolentTransferOfTerritory, CategoryStrategicDevelopments, "Non-violent transfer of territory", "Transfert non violent de territoire", "Strategic developments", "Non-violent transfer of territory", nil},
	{OtherStrategicDevelopment, CategoryStrategicDevelopments, "Other", "Autre", "Strategic developments", "Other", nil},

	{CeasefireViolation, CategoryMission, "Ceasefire violation", "Violation du cessez-le-feu", "Battles", "Armed clash", nil},
	{AttackOnPeacekeepers, CategoryMission, "Attack on peacekeepers", "Attaque contre des Casques bleus", "Battles", "Armed clash", nil},
	{IEDExplosive, CategoryMission, "IED/explosive", "EEI/engin explosif", "Explosions/Remote violence", "Remote explosive/landmine/IED", nil},
	{MissionAbduction, CategoryMission, "Abduction", "Enlèvement", "Violence against civilians", "Abduction/forced disappearance", nil},
	{MissionSexualViolence, CategoryMission, "Sexual violence", "Violence sexuelle", "Violence against civilians", "Sexual violence", nil},
	{ProtestRiot, CategoryMission, "Protest/riot", "Manifestation/émeute", "", "", nil},
	{Displacement, CategoryMission, "Displacement", "Déplacement de population", "", "", nil},
	{HumanitarianAccessIncident, CategoryMission, "Humanitarian access incident", "Incident d'accès humanitaire", "", "", nil},
	{TroopMovement, CategoryMission, "Troop movement", "Mouvement de troupes", "Strategic developments", "Other", nil},
	{RisingTensions, CategoryMission, "Rising tensions", "Montée des tensions", "", "", nil},
	{Crime, CategoryMission, "Crime", "Criminalité", "", "", nil},
	{Hijacking, CategoryMission, "Hijacking", "Détournement", "Strategic developments", "Looting/property destruction", nil},
}

// Lookup tables, built once from taxonomy.
var (
	typeIndex  = indexTypes()
	acledIndex = indexACLED()  // normalized event type, sub-event type -> ACLED-native type
	labelIndex = indexLabels() // normalized English and French labels -> type
)

func indexTypes() map[Type]int {
	m := make(map[Type]int, len(taxonomy))
	for i, t := range taxonomy {
		m[t.Type] = i
	}
	return m
}

func indexACLED() map[[2]string]Type {
	m := make(map[[2]string]Type)
	for _, t := range taxonomy {
		if t.Category != CategoryMission {
			m[[2]string{normalizeLabel(t.ACLEDEventType), normalizeLabel(t.ACLEDSubEventType)}] = t.Type
		}
	}
	return m
}

// indexLabels puts mission types first: a label shared by a mission type and
// an ACLED type ("Sexual violence") resolves to the mission type, which is
// what a mission's own spreadsheet means.
func indexLabels() map[string]Type {
	m := make(map[string]Type)
	for _, mission := range []bool{true, false} {
		for _, t := range taxonomy {
			if (t.Category == CategoryMission) != mission {
				continue
			}
			for _, l := range []string{t.Label, t.LabelFR} {
				if _, dup := m[normalizeLabel(l)]; !dup {
					m[normalizeLabel(l)] = t.Type
				}
			}
		}
	}
	return m
}

// Taxonomy returns every type, in ACLED's hierarchical order then the
// mission types. The caller may modify the returned slice.
func Taxonomy() []TypeInfo {
	out := make([]TypeInfo, len(taxonomy))
	copy(out, taxonomy)
	return out
}

// Categories returns every category.
func Categories() []CategoryInfo {
	out := make([]CategoryInfo, len(categories))
	copy(out, categories)
	return out
}

// Valid reports whether t is a type of the taxonomy.
func (t Type) Valid() bool { _, ok := typeIndex[t]; return ok }

// Info returns the description of t and whether t is known.
func (t Type) Info() (TypeInfo, bool) {
	i, ok := typeIndex[t]
	if !ok {
		return TypeInfo{}, false
	}
	return taxonomy[i], true
}

// Category returns the category part of t (which may be unknown).
func (t Type) Category() Category {
	c, _, _ := strings.Cut(string(t), ".")
	return Category(c)
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, ci := range categories {
		if ci.Category == c {
			return true
		}
	}
	return false
}

// Matches reports whether an event of type t is selected by code, which is
// a type or a whole category.
func (t Type) Matches(code Type) bool {
	return t == code || (Category(code).Valid() && t.Category() == Category(code))
}

// TypeFromACLED returns the type of an ACLED event type and sub-event type,
// compared without regard to case or surrounding space.
func TypeFromACLED(eventType, subEventType string) (Type, bool) {
	t, ok := acledIndex[[2]string{normalizeLabel(eventType), normalizeLabel(subEventType)}]
	return t, ok
}

func knownACLEDEventType(s string) bool {
	n := normalizeLabel(s)
	for _, t := range taxonomy {
		if t.Category != CategoryMission && normalizeLabel(t.ACLEDEventType) == n {
			return true
		}
	}
	return false
}

// TypeFromUCDP returns the type UCDP GED events of type_of_violence v are
// imported as: state-based and non-state violence as armed clashes,
// one-sided violence as attacks on civilians (docs/TAXONOMY.md says why and
// what is lost).
func TypeFromUCDP(v UCDPViolence) (Type, bool) {
	for _, t := range taxonomy {
		for _, u := range t.UCDP {
			if u == v {
				return t.Type, true
			}
		}
	}
	return "", false
}

// TypeFromLabel returns the type whose English or French label is label,
// compared without regard to case. A label shared by a mission type and an
// ACLED type resolves to the mission type.
func TypeFromLabel(label string) (Type, bool) {
	t, ok := labelIndex[normalizeLabel(label)]
	return t, ok
}

func normalizeLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
