package ddr_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/ddr"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

const sheetHeader = "name,name_variants,mother_name,sex,birth_precision,birth_date,birth_year,age_low,age_high,origin_pcode,armed_group,rank,registered_on,site_id,dependants\n"

func TestReadRegistrantsErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []ddr.RowError
	}{
		{"MissingColumn", "name,sex\nAli,M\n", []ddr.RowError{{Line: 1, Field: "birth_precision"}, {Line: 1, Field: "registered_on"}, {Line: 1, Field: "site_id"}}},
		{"UnknownColumn", "name,sex,birth_precision,registered_on,site_id,shoe_size\n", []ddr.RowError{{Line: 1, Field: "shoe_size"}}},
		{"BadCells", sheetHeader +
			"Ali Oumar,,,M,year,,1980,,,CF111,UPC,,2024-01-02,S,0\n" +
			"Issa Haroun,,,X,year,,nineteen,,,CF111,UPC,,2024-01-02,S,0\n" +
			"Moussa Idriss,,,M,day,2024-13-01,,,,CF111,UPC,,2024-01-02,S,0\n",
			[]ddr.RowError{{Line: 3, Field: "birth_year"}, {Line: 4, Field: "birth_date"}}},
		{"Invalid", sheetHeader + ",,,M,year,,1980,,,CF111,UPC,,2024-01-02,S,0\n", []ddr.RowError{{Line: 2, Field: "name"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, err := ddr.ReadRegistrants("csv", strings.NewReader(tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("row errors %v, want %v", errs, tc.want)
			}
			for i, w := range tc.want {
				if errs[i].Line != w.Line || errs[i].Field != w.Field {
					t.Errorf("row error %d = %v, want line %d field %s", i, errs[i], w.Line, w.Field)
				}
			}
		})
	}
}

func TestImportRegistrants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		good := sheetHeader +
			"Mahamat Abakar Adoum,Mohamed Abakar,Fatimé Hassan,M,year,,1990,,,CF431,FPRC,sergeant,2024-03-12," + site + ",2\n" +
			"ADOUM Muhammad Abakar,,Fatime Hassan,M,year,,1991,,,CF431,FPRC,,2024-03-14," + site + ",2\n" +
			"Zara Idriss,,,F,approx,,,14,17,CF431,FPRC,,2024-03-14," + site + ",0\n"
		// one bad site in an otherwise good file: nothing is written
		bad := good + "Jean Kossi,,,M,year,,1985,,,CF111,AB-MOKOM,,2024-03-14,NOSUCHSITE,0\n"
		rows, errs, err := ddr.ReadRegistrants("csv", strings.NewReader(bad))
		if err != nil || len(errs) != 0 {
			t.Fatalf("read: %v %v", errs, err)
		}
		_, err = s.ImportRegistrants(officer, "MINUSCA", rows, errs)
		if peaceops.ErrorCode(err) != peaceops.EINVALID || !strings.Contains(peaceops.ErrorFields(err)[0].Field, "line 5: site_id") {
			t.Fatalf("import with a bad site: %v (%v)", err, peaceops.ErrorFields(err))
		}
		if list, _, _ := s.FindRegistrants(chief, "MINUSCA", ddr.Filter{}); len(list) != 0 {
			t.Fatalf("%d registrants written by a failed import", len(list))
		}
		// the same rows as XLSX
		book := excelize.NewFile()
		for i, line := range strings.Split(strings.TrimSpace(good), "\n") {
			for j, v := range strings.Split(line, ",") {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				book.SetCellValue("Sheet1", cell, v)
			}
		}
		var buf bytes.Buffer
		if err := book.Write(&buf); err != nil {
			t.Fatal(err)
		}
		rows, errs, err = ddr.ReadRegistrants("xlsx", &buf)
		if err != nil || len(errs) != 0 || len(rows) != 3 {
			t.Fatalf("xlsx read: %d rows, %v, %v", len(rows), errs, err)
		}
		if _, err := s.ImportRegistrants(viewer, "MINUSCA", rows, nil); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("viewer import: %v, want not found", err)
		}
		res, err := s.ImportRegistrants(officer, "MINUSCA", rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Registered != 3 || res.CAAFAG != 1 || res.Candidates != 1 {
			t.Errorf("import = %+v; want 3 registered, 1 child, 1 duplicate candidate", res)
		}
		list, _, _ := s.FindRegistrants(officer, "MINUSCA", ddr.Filter{})
		if len(list) != 2 {
			t.Errorf("officer sees %d registrants, want the 2 adults", len(list))
		}
	})
}

func FuzzReadRegistrants(f *testing.F) {
	f.Add(sheetHeader + "Ali Oumar,Aly Omar;Ali Umar,,M,year,,1980,,,CF111,UPC,,2024-01-02,S,0\n")
	f.Add("name,sex\n\"unterminated,M\n")
	f.Add("\ufeffNAME,Sex,birth_precision,registered_on,site_id\nA,F,approx,2024-01-01,x\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, errs, err := ddr.ReadRegistrants("csv", strings.NewReader(in))
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		for _, r := range rows {
			if err := r.Registrant.Validate(); err != nil {
				t.Fatalf("line %d passed the reader but not Validate: %v", r.Line, err)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Field == "" || e.Message == "" {
				t.Fatalf("imprecise row error %+v", e)
			}
		}
	})
}
