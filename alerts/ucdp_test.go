package alerts_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/internal/shareddata"
)

// TestDetectAllOnUCDPCentralAfricanRepublic runs detection on real events:
// UCDP GED v23.1 for the Central African Republic (shared data folder,
// ucdp-ged-car-v23.1, see its SOURCE.md), counted per prefecture and ISO
// week. Two documented escalations must come out as alerts (warning or
// above) after the adjustment for the 17 prefectures: Bangui in December
// 2013 (the 5 December attacks and their aftermath) and Ouaka in June 2014
// (fighting around Bambari), with few other prefectures alerting alongside.
func TestDetectAllOnUCDPCentralAfricanRepublic(t *testing.T) {
	events := readUCDP(t, shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"))
	for _, tt := range []struct {
		name     string
		lastWeek string // Monday of the last complete week
		area     string
	}{
		{"BanguiDecember2013", "2013-12-23", "Bangui"},
		{"OuakaJune2014", "2014-06-23", "Ouaka"},
	} {
		for _, seasonal := range []bool{false, true} {
			last, _ := time.Parse(time.DateOnly, tt.lastWeek)
			series := weeklyByPrefecture(events, last)
			results, err := alerts.DetectAll(series, alerts.Params{Seasonal: seasonal})
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			var alerting int
			for _, r := range results {
				if r.Alert {
					alerting++
					t.Logf("%s seasonal=%v: %s [%s]", tt.name, seasonal, r.Explanation, r.Level)
				}
				if r.Area == tt.area {
					found = true
					if !r.Alert {
						t.Errorf("%s seasonal=%v: %s is %s, want an alert: %s", tt.name, seasonal, r.Area, r.Level, r.Explanation)
					}
				}
			}
			if !found {
				t.Errorf("%s: no result for %s", tt.name, tt.area)
			}
			if alerting > 3 {
				t.Errorf("%s seasonal=%v: %d of %d prefectures alerting", tt.name, seasonal, alerting, len(results))
			}
		}
	}
}

type ucdpEvent struct {
	prefecture string
	date       time.Time
}

func readUCDP(tb testing.TB, path string) []ucdpEvent {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Features []struct {
			Properties struct {
				Adm1      string `json:"adm_1"`
				DateStart string `json:"date_start"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	var events []ucdpEvent
	for _, f := range doc.Features {
		p := f.Properties
		if p.Adm1 == "" || len(p.DateStart) < 10 {
			continue // not placed in a prefecture
		}
		d, err := time.Parse(time.DateOnly, p.DateStart[:10])
		if err != nil {
			tb.Fatalf("date_start %q: %v", p.DateStart, err)
		}
		events = append(events, ucdpEvent{strings.TrimSuffix(p.Adm1, " province"), d})
	}
	return events
}

// weeklyByPrefecture counts events per prefecture and week, from the week of
// 4 January 2010 to the week starting on last; later events are unknown yet.
func weeklyByPrefecture(events []ucdpEvent, last time.Time) []alerts.Series {
	start := time.Date(2010, time.January, 4, 0, 0, 0, 0, time.UTC)
	weeks := int(last.Sub(start).Hours()/(24*7)) + 1
	byArea := map[string]*alerts.Series{}
	var series []alerts.Series
	for _, e := range events {
		if byArea[e.prefecture] == nil {
			byArea[e.prefecture] = &alerts.Series{Area: e.prefecture, Weekly: make([]float64, weeks), WeekStart: start}
		}
		if i := int(e.date.Sub(start).Hours() / (24 * 7)); i >= 0 && i < weeks {
			byArea[e.prefecture].Weekly[i]++
		}
	}
	for _, s := range byArea {
		series = append(series, *s)
	}
	return series
}
