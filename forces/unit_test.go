package forces_test

import (
	"slices"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/geo"
)

func TestUnitValidate(t *testing.T) {
	tests := []struct {
		name   string
		mut    func(*forces.Unit)
		fields []string
	}{
		{"OK", func(*forces.Unit) {}, nil},
		{"OKWithoutBase", func(u *forces.Unit) { u.Base = nil }, nil},
		{"ErrNameRequired", func(u *forces.Unit) { u.Name = "  " }, []string{"name"}},
		{"ErrType", func(u *forces.Unit) { u.Type = "cavalry" }, []string{"type"}},
		{"ErrCountry", func(u *forces.Unit) { u.Country = "XXX" }, []string{"country"}},
		{"ErrSizeZero", func(u *forces.Unit) { u.Size = 0 }, []string{"size"}},
		{"ErrSizeHuge", func(u *forces.Unit) { u.Size = forces.MaxUnitSize + 1 }, []string{"size"}},
		{"ErrSiteKind", func(u *forces.Unit) { u.Base.Kind = "castle" }, []string{"base.kind"}},
		{"ErrBaseLocation", func(u *forces.Unit) { u.Base.Location = &geo.Point{Lon: 200, Lat: 5} }, []string{"base.location"}},
		{"ErrBaseNameWithLocation", func(u *forces.Unit) { u.Base = &forces.Base{Location: &geo.Point{Lon: 18.5, Lat: 4.4}} }, []string{"base.name"}},
		{"ErrRotationBeforeArrival", func(u *forces.Unit) { u.RotationDue = date("2023-01-01") }, []string{"rotation_due"}},
		{"ErrDeployedWithoutArrival", func(u *forces.Unit) {
			u.Status, u.Arrival, u.RotationDue = forces.StatusDeployed, peaceops.Date{}, peaceops.Date{}
		}, []string{"arrival"}},
		{"ErrStatus", func(u *forces.Unit) { u.Status = "lost" }, []string{"status"}},
		{"ErrReplacement", func(u *forces.Unit) { u.ReplacementID = "nope" }, []string{"replacement_id"}},
		{"ErrClassification", func(u *forces.Unit) { u.Classification = peaceops.StrictlyConfidential }, []string{"classification"}},
		{"EveryProblemAtOnce", func(u *forces.Unit) { u.Name, u.Type, u.Country, u.Size = "", "x", "", -1 }, []string{"name", "type", "country", "size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := battalion("RWABATT-1", tt.mut)
			err := u.Validate()
			if got := fieldsOf(err); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v (%v)", got, tt.fields, err)
			}
			if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Errorf("code %s, want invalid", peaceops.ErrorCode(err))
			}
		})
	}
}

func TestUnitDefaults(t *testing.T) {
	u := battalion("FPU Senegal", func(u *forces.Unit) { u.Type = forces.TypeFPU })
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if u.Status != forces.StatusPledged || u.Classification != peaceops.Internal || u.Category != forces.CatFPU {
		t.Errorf("defaults: status %s classification %s category %s", u.Status, u.Classification, u.Category)
	}
}

func TestStatusTransitions(t *testing.T) {
	tests := []struct {
		from, to forces.Status
		ok       bool
	}{
		{forces.StatusPledged, forces.StatusDeploying, true},
		{forces.StatusPledged, forces.StatusDeployed, false},
		{forces.StatusDeploying, forces.StatusDeployed, true},
		{forces.StatusDeployed, forces.StatusRotating, true},
		{forces.StatusDeployed, forces.StatusPledged, false},
		{forces.StatusRotating, forces.StatusRepatriated, true},
		{forces.StatusRepatriated, forces.StatusDeployed, false},
		{forces.StatusRepatriated, forces.StatusRepatriated, true},
	}
	for _, tt := range tests {
		if got := tt.from.CanMove(tt.to); got != tt.ok {
			t.Errorf("%s -> %s: %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}

func TestReturnValidate(t *testing.T) {
	tests := []struct {
		name   string
		r      forces.Return
		fields []string
	}{
		{"OK", forces.Return{Month: "2024-03", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexFemale, Personnel: 120}, nil},
		{"ErrMonth", forces.Return{Month: "2024-13", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale}, []string{"month"}},
		{"ErrEverything", forces.Return{Month: "March", Country: "rw", Category: "generals", Sex: "x", Personnel: -1}, []string{"month", "country", "category", "sex", "personnel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldsOf(tt.r.Validate()); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestDefaultGenderTargets(t *testing.T) {
	tests := []struct {
		year int
		cat  forces.CeilingCategory
		bp   int
	}{
		{2028, forces.CeilMilitary, 1500},
		{2028, forces.CeilMilitaryObservers, 2500},
		{2028, forces.CeilPoliceFPU, 2000},
		{2028, forces.CeilPoliceIPO, 3000},
		{2021, forces.CeilMilitary, 800},
		{2021, forces.CeilMilitaryObservers, 1800},
		{2010, forces.CeilMilitary, 500},   // before the strategy: its first year
		{2035, forces.CeilPoliceIPO, 3000}, // after: its last
	}
	for _, tt := range tests {
		if got := forces.DefaultGenderTargets(tt.year)[tt.cat]; got != tt.bp {
			t.Errorf("%d %s: %d, want %d", tt.year, tt.cat, got, tt.bp)
		}
	}
}
