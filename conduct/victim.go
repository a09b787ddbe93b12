package conduct

import (
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/sealed"
)

// Victim is a victim of a case. Sex and age group are part of the case;
// Identity is shown only to holders of the victim read permission and is
// nil (with Withheld true) for everyone else.
type Victim struct {
	ID       string    `json:"id"`
	Sex      string    `json:"sex"`
	AgeGroup string    `json:"age_group"`
	Identity *Identity `json:"identity"`
	Withheld bool      `json:"identity_withheld"`
	// IdentityRecorded says whether an identity is stored (sealed).
	IdentityRecorded bool      `json:"identity_recorded"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Identity is who a victim is and how to reach them: stored only sealed
// with the data key, bound to the victim's id.
type Identity struct {
	Name     string `json:"name"`
	Contact  string `json:"contact"`
	Location string `json:"location"`
}

func (id *Identity) empty() bool {
	return id == nil || (id.Name == "" && id.Contact == "" && id.Location == "")
}

func (id *Identity) trim() {
	if id == nil {
		return
	}
	id.Name = strings.TrimSpace(id.Name)
	id.Contact = strings.TrimSpace(id.Contact)
	id.Location = strings.TrimSpace(id.Location)
}

func (id *Identity) validate() []peaceops.FieldError {
	var errs []peaceops.FieldError
	if id == nil {
		return nil
	}
	for _, f := range []struct{ name, v string }{{"name", id.Name}, {"contact", id.Contact}, {"location", id.Location}} {
		if len([]rune(f.v)) > 500 {
			errs = append(errs, peaceops.FieldError{Field: "identity." + f.name, Message: "must be at most 500 characters"})
		}
	}
	return errs
}

// NewVictim is the body of a victim's creation.
type NewVictim struct {
	Sex      string    `json:"sex"`
	AgeGroup string    `json:"age_group"`
	Identity *Identity `json:"identity"`
}

// Validate fills in unknown sex and age group and returns every problem.
func (v *NewVictim) Validate() error {
	if v.Sex == "" {
		v.Sex = "unknown"
	}
	if v.AgeGroup == "" {
		v.AgeGroup = "unknown"
	}
	v.Identity.trim()
	var errs []peaceops.FieldError
	if !known(Sexes, v.Sex) {
		errs = append(errs, peaceops.FieldError{Field: "sex", Message: oneOf(Sexes)})
	}
	if !known(AgeGroups, v.AgeGroup) {
		errs = append(errs, peaceops.FieldError{Field: "age_group", Message: oneOf(AgeGroups)})
	}
	return peaceops.Invalid(append(errs, v.Identity.validate()...))
}

// sealedIdentity is an identity as stored: each field sealed with the data
// key and bound to "victim:<id>:<field>", so a value copied to another
// victim or field does not open.
type sealedIdentity struct{ Name, Contact, Location string }

func sealContext(victimID, field string) string { return "victim:" + victimID + ":" + field }

func sealIdentity(keys *sealed.Keyring, victimID string, id *Identity) (sealedIdentity, error) {
	var out sealedIdentity
	if id.empty() {
		return out, nil
	}
	if keys == nil || keys.Current() == "" {
		return out, peaceops.Errorf(peaceops.EINVALID,
			"victim identity cannot be stored: the server has no data key (PEACEOPS_DATA_KEY or --data-key-file)")
	}
	var err error
	for _, f := range []struct {
		dst   *string
		v     string
		field string
	}{{&out.Name, id.Name, "name"}, {&out.Contact, id.Contact, "contact"}, {&out.Location, id.Location, "location"}} {
		if *f.dst, err = keys.Seal(f.v, sealContext(victimID, f.field)); err != nil {
			return sealedIdentity{}, err
		}
	}
	return out, nil
}

func openIdentity(keys *sealed.Keyring, victimID string, s sealedIdentity) (*Identity, error) {
	var id Identity
	var err error
	for _, f := range []struct {
		dst   *string
		v     string
		field string
	}{{&id.Name, s.Name, "name"}, {&id.Contact, s.Contact, "contact"}, {&id.Location, s.Location, "location"}} {
		if *f.dst, err = keys.Open(f.v, sealContext(victimID, f.field)); err != nil {
			return nil, err
		}
	}
	return &id, nil
}

// victimAudit is a victim as the audit log records it: every field but the
// ids is tagged secret, so the log shows only whether they changed.
type victimAudit struct {
	ID         string `json:"id"`
	Allegation string `json:"allegation_id"`
	Sex        string `json:"sex" audit:"secret"`
	AgeGroup   string `json:"age_group" audit:"secret"`
	Name       string `json:"name" audit:"secret"`
	Contact    string `json:"contact" audit:"secret"`
	Location   string `json:"location" audit:"secret"`
}

func auditOf(allegation string, v *Victim) *victimAudit {
	a := &victimAudit{ID: v.ID, Allegation: allegation, Sex: v.Sex, AgeGroup: v.AgeGroup}
	if v.Identity != nil {
		a.Name, a.Contact, a.Location = v.Identity.Name, v.Identity.Contact, v.Identity.Location
	}
	return a
}
