package events_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/internal/shareddata"
)

// fuzzRead reads data in format and checks the readers' contract: no
// panic, an end is reached, and every event returned validates once given
// a mission.
func fuzzRead(t *testing.T, format string, data []byte, opts ...events.ReadOption) {
	r, err := events.NewReader(format, bytes.NewReader(data), opts...)
	if err != nil {
		return
	}
	// Each call consumes at least one byte or ends: more calls than bytes
	// means the reader is stuck.
	for calls := 0; ; calls++ {
		if calls > len(data)+2 {
			t.Fatalf("reader did not reach the end after %d calls", calls)
		}
		e, err := r.Next()
		var re *events.RowError
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &re):
			if re.Message == "" || re.Line < 0 || re.Feature < 0 {
				t.Fatalf("row error without message or place: %+v", re)
			}
		case err != nil:
			return
		default:
			e.Mission = "FUZZ"
			if verr := e.Validate(); verr != nil {
				t.Fatalf("reader returned an invalid event: %v\n%s", verr, jsonString(t, e))
			}
		}
	}
}

// seedFile adds the first n bytes of a shared data file as a seed.
func seedFile(f *testing.F, n int, elem ...string) {
	dir, ok := shareddata.Dir()
	if !ok {
		return
	}
	b, err := os.ReadFile(strings.Join(append([]string{dir}, elem...), string(os.PathSeparator)))
	if err != nil {
		return
	}
	if len(b) > n {
		b = b[:n]
	}
	f.Add(b)
}

func FuzzUCDPReader(f *testing.F) {
	f.Add([]byte(csvText(f, ucdpHeader, ucdpRow(nil), ucdpRow(map[string]string{"id": "2", "best": "9", "high": "1"}))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":1,"type_of_violence":3,"date_start":"2020-01-02T00:00:00","date_end":"2020-01-02T00:00:00","best":1,"low":1,"high":1,"where_prec":1,"date_prec":1},"geometry":{"type":"Point","coordinates":[18.5,4.3]}}]}`))
	f.Add([]byte("id,type_of_violence,date_start,date_end,best,low,high,latitude,longitude\n,#date+start,,,,,,#geo+lat,#geo+lon\n1,1,2020-01-01,2020-01-01,1,1,1,4,18\n"))
	seedFile(f, 4000, "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv")
	seedFile(f, 4000, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, events.FormatUCDP, data) })
}

func FuzzACLEDReader(f *testing.F) {
	b, err := os.ReadFile("testdata/acled_invented.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(csvText(f, acledHeader, acledRow(map[string]string{"event_date": "1 May 2024", "iso": "x", "latitude": "4,5"}))))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, events.FormatACLED, data) })
}

func FuzzHXLReader(f *testing.F) {
	b, err := os.ReadFile("testdata/hxl_mission_incidents.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	var buf bytes.Buffer
	if err := events.WriteHXL(&buf, events.All([]events.Event{validEvent()})); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("#date+year,#event+type+sub,#event+type,#group+name+first+assoc,#affected+killed+high\n2020,Armed clash,Battles,A;B,3\n"))
	seedFile(f, 4000, "ucdp-ged-hdx-hxl-bgd", "conflict_data_BGD.csv")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, events.FormatHXL, data, events.DefaultType(events.Crime)) })
}

// BenchmarkUCDPReader reads the 18,957 events of the Mexico CSV (12 MB).
func BenchmarkUCDPReader(b *testing.B) {
	for _, bb := range []struct{ name, dataset, file string }{
		{"CSVv24Mexico", "ucdp-ged-v24.1-mexico", "GEDEvent_v24_1_MEX.csv"},
		{"GeoJSONCAR", "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			data, err := os.ReadFile(shareddata.Path(b, bb.dataset, bb.file))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			n := 0
			for b.Loop() {
				r, err := events.NewReader(events.FormatUCDP, bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				evs, rowErrs, err := events.ReadAll(r)
				if err != nil || len(rowErrs) > 0 {
					b.Fatal(err, rowErrs)
				}
				n += len(evs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
