package forces_test

import (
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
)

// The contributions reader never panics: it returns returns that validate,
// row errors with a line, or an EINVALID error for an unreadable file.
func FuzzReadContributions(f *testing.F) {
	f.Add(genderHeader + `"1",2013-12-31,"Rwanda","RWA","UNMISS",1,2,3,0,0,0,NA,NA,NA,800,40,840,801,42,843` + "\n")
	f.Add("Date,Contributor_ISO-3,Mission,Experts_on_Mission,Formed_Police_Units,Inidividual_Police,Civilian_Police,Troops,Observers,Total\r\n2014-05-31,RWA,MINUSCA,NA,140,10,150,850,NA,1000\r\n")
	f.Add(genderHeader + `"1",2013-12-31,"R","RWA","UNMISS",-1,x,"3` + "\n")
	f.Add("")
	f.Add("\ufeffDate,Contributor_ISO-3,Mission,Troops,Inidividual_Police,Total\n2014-01-31,FRA,UNIFIL,1e9,0,0\n")
	f.Fuzz(func(t *testing.T, in string) {
		rs, errs, err := forces.ReadContributions(strings.NewReader(in), "fuzz")
		if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Fatalf("error of code %s: %v", peaceops.ErrorCode(err), err)
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("row error without a line: %v", e)
			}
		}
		for _, r := range rs {
			ret := r.Return
			if err := ret.Validate(); err != nil {
				t.Fatalf("line %d gives an invalid return %+v: %v", r.Line, r.Return, err)
			}
		}
	})
}

// The fatality reader never panics and gives only valid fatalities.
func FuzzReadFatalities(f *testing.F) {
	f.Add(fatalityHeader + "1,2017-05-08,MINUSCA-2017-05-1,MINUSCA,Fatality,M,Cambodia,Military,Malicious Act,116.0,KHM,2025-04-04\n")
	f.Add(fatalityHeader + "1,2017-05-08,,,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, errs, err := forces.ReadFatalities(strings.NewReader(in))
		if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Fatalf("error of code %s: %v", peaceops.ErrorCode(err), err)
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("row error without a line: %v", e)
			}
		}
		for _, r := range rows {
			fat := r.Fatality
			if err := fat.Validate(); err != nil {
				t.Fatalf("line %d gives an invalid fatality: %v", r.Line, err)
			}
		}
	})
}
