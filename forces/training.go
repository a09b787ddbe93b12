package forces

import (
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// Course is an entry of the training catalogue.
type Course string

// The courses of the catalogue.
const (
	CourseCorePreDeployment Course = "core_pre_deployment" // core pre-deployment training materials
	CourseGenderProtection  Course = "gender_protection"
	CourseHumanRights       Course = "human_rights"
	CourseChildProtection   Course = "child_protection"
	CoursePSEA              Course = "psea" // prevention of sexual exploitation and abuse
	CoursePoC               Course = "poc"  // protection of civilians
	CourseFirstAid          Course = "first_aid_casevac"
	CourseInduction         Course = "mission_induction"
	CourseDriving           Course = "driving"
)

// Courses lists the catalogue.
var Courses = []Course{CourseCorePreDeployment, CourseGenderProtection, CourseHumanRights, CourseChildProtection,
	CoursePSEA, CoursePoC, CourseFirstAid, CourseInduction, CourseDriving}

// Valid reports whether c is in the catalogue.
func (c Course) Valid() bool { return slices.Contains(Courses, c) }

// PreDeployment reports whether c is taken before deployment, so that its
// absence holds a unit back (the deployment gate). Induction and driving
// are taken in the mission.
func (c Course) PreDeployment() bool { return c != CourseInduction && c != CourseDriving }

// Requirement says that personnel of a category must hold a course,
// renewed every ValidDays (0: never expires).
type Requirement struct {
	Category  Category `json:"category"`
	Course    Course   `json:"course"`
	ValidDays int      `json:"valid_days"`
	Default   bool     `json:"default"`
}

// Validate returns every field problem of q.
func (q *Requirement) Validate() error {
	var errs []peaceops.FieldError
	if !q.Category.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "category", Message: "must be one of " + joinValues(Categories)})
	}
	if !q.Course.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "course", Message: "must be one of " + joinValues(Courses)})
	}
	if q.ValidDays < 0 || q.ValidDays > 3650 {
		errs = append(errs, peaceops.FieldError{Field: "valid_days", Message: "must be between 0 (never expires) and 3650"})
	}
	return peaceops.Invalid(errs)
}

// DefaultRequirements are the requirements of a mission that entered none:
// the DPO core pre-deployment package (core modules, PSEA, protection of
// civilians, human rights, gender and child protection) for every
// uniformed category, first aid and casualty evacuation for formed units
// (renewed every two years), and mission induction for everyone.
func DefaultRequirements() []Requirement {
	var out []Requirement
	for _, cat := range Categories {
		if cat.Uniformed() {
			for _, c := range []Course{CourseCorePreDeployment, CoursePSEA, CoursePoC, CourseHumanRights, CourseGenderProtection, CourseChildProtection} {
				out = append(out, Requirement{Category: cat, Course: c, Default: true})
			}
		} else {
			out = append(out, Requirement{Category: cat, Course: CoursePSEA, Default: true})
		}
		if cat == CatTroops || cat == CatFPU {
			out = append(out, Requirement{Category: cat, Course: CourseFirstAid, ValidDays: 730, Default: true})
		}
		out = append(out, Requirement{Category: cat, Course: CourseInduction, Default: true})
	}
	return out
}

// Completion records that a unit as a whole, or one named member of it,
// completed a course. Person is personal data: only personnel officers and
// mission-admins see it (the "personnel" resource type); others see that a
// person-level record exists.
type Completion struct {
	ID          string        `json:"id"`
	Mission     string        `json:"mission"`
	UnitID      string        `json:"unit_id"`
	Course      Course        `json:"course"`
	Person      string        `json:"person,omitempty"`
	Named       bool          `json:"named"` // a person-level record, whether or not the name is shown
	Completed   peaceops.Date `json:"completed"`
	Expires     peaceops.Date `json:"expires"`
	Provider    string        `json:"provider"`
	Certificate string        `json:"certificate"`
	CreatedAt   time.Time     `json:"created_at"`
}

// Validate returns every field problem of c.
func (c *Completion) Validate() error {
	c.Person = strings.TrimSpace(c.Person)
	c.Provider = strings.TrimSpace(c.Provider)
	c.Certificate = strings.TrimSpace(c.Certificate)
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if !peaceops.ValidID(c.UnitID) {
		add("unit_id", "must be the id of a unit")
	}
	if !c.Course.Valid() {
		add("course", "must be one of "+joinValues(Courses))
	}
	if c.Completed.IsZero() {
		add("completed", "is required")
	}
	if !c.Expires.IsZero() && !c.Completed.IsZero() && c.Expires.Before(c.Completed) {
		add("expires", "must not be before completed")
	}
	if len([]rune(c.Person)) > 200 {
		add("person", "must be at most 200 characters")
	}
	if len([]rune(c.Provider)) > 200 {
		add("provider", "must be at most 200 characters")
	}
	if len([]rune(c.Certificate)) > 200 {
		add("certificate", "must be at most 200 characters")
	}
	return peaceops.Invalid(errs)
}

// Waiver lets a unit be marked deployed although some required
// pre-deployment courses are missing; a mission-admin records it and the
// audit log keeps it.
type Waiver struct {
	ID        string    `json:"id"`
	Mission   string    `json:"mission"`
	UnitID    string    `json:"unit_id"`
	Reason    string    `json:"reason"`
	Courses   []Course  `json:"courses"`
	GrantedBy string    `json:"granted_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate returns every field problem of w.
func (w *Waiver) Validate() error {
	w.Reason = strings.TrimSpace(w.Reason)
	var errs []peaceops.FieldError
	if n := len([]rune(w.Reason)); n < 10 || n > 2000 {
		errs = append(errs, peaceops.FieldError{Field: "reason", Message: "must say why, in 10 to 2000 characters"})
	}
	if len(w.Courses) == 0 {
		errs = append(errs, peaceops.FieldError{Field: "courses", Message: "name at least one course the waiver covers"})
	}
	for _, c := range w.Courses {
		if !c.Valid() || !c.PreDeployment() {
			errs = append(errs, peaceops.FieldError{Field: "courses", Message: "must be pre-deployment courses of the catalogue: " + string(c) + " is not"})
			break
		}
	}
	return peaceops.Invalid(errs)
}

// CourseState is where a unit stands on one required course.
type CourseState struct {
	Course    Course        `json:"course"`
	State     string        `json:"state"` // "ok", "expired", "missing", "waived"
	Expires   peaceops.Date `json:"expires"`
	People    int           `json:"people"` // person-level records still valid
	PreDeploy bool          `json:"pre_deployment"`
}

// Readiness is a unit's training state against its category's
// requirements on a date.
type Readiness struct {
	Unit    *Unit         `json:"unit"`
	Courses []CourseState `json:"courses"`
	// Ready is true when no required pre-deployment course is missing or
	// expired (waived courses count as present).
	Ready bool `json:"ready"`
}

// Rotation is a unit due to rotate and what replaces it.
type Rotation struct {
	Unit        *Unit  `json:"unit"`
	DaysLeft    int    `json:"days_left"`
	Replacement *Unit  `json:"replacement"`
	State       string `json:"replacement_state"` // "none", or the replacement's status
}
