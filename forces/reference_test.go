package forces_test

import (
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/internal/shareddata"
)

func TestReadMissionList(t *testing.T) {
	fh, err := os.Open(shareddata.Path(t, "un-pk-missions", "DPPADPOSS-PKO.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	list, errs, err := forces.ReadMissionList(fh)
	if err != nil || len(errs) != 0 {
		t.Fatalf("%v %v", err, errs)
	}
	if len(list) != 81 {
		t.Errorf("%d missions, want 81", len(list))
	}
	by := map[string]forces.ReferenceMission{}
	active := 0
	for _, m := range list {
		by[m.Code] = m
		if m.Active {
			active++
		}
	}
	if active != 12 {
		t.Errorf("%d active, want 12", active)
	}
	tests := []struct {
		code     string
		lon, lat float64
		swapped  bool
	}{
		{"MINUSMA", -8.0, 12.65, true}, // Bamako, given swapped
		{"MINUSCA", 18.5833, 4.3667, false},
		{"UNPROFOR", 15.9833, 45.8167, false}, // Zagreb, decimal commas
	}
	for _, tt := range tests {
		m, ok := by[tt.code]
		if !ok || m.HQ == nil {
			t.Errorf("%s: %+v", tt.code, m)
			continue
		}
		if m.HQ.Lon != tt.lon || m.HQ.Lat != tt.lat || m.Swapped != tt.swapped {
			t.Errorf("%s HQ %+v swapped %v, want %v,%v %v", tt.code, *m.HQ, m.Swapped, tt.lon, tt.lat, tt.swapped)
		}
	}
	if by["UNTSO"].HQ != nil {
		t.Errorf("UNTSO has no coordinates in the list: %+v", by["UNTSO"].HQ)
	}
}

func TestReadMissionListErrors(t *testing.T) {
	body := "id,mission_acronym,mission_name,lead_department,mission_isactive,start_date,end_date,mission_location,mission_longitude,mission_latitude,last_update\n" +
		`1,ABC,Name,DPO,Maybe,1999-02-30,,Here,"east","1,5",2024-02-19` + "\n"
	_, errs, err := forces.ReadMissionList(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	wantRowErrors(t, errs, []forces.RowError{{Line: 2, Field: "mission_isactive"}, {Line: 2, Field: "start_date"}, {Line: 2, Field: "mission_longitude"}})
}
