package events

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// Export formats understood by Write.
const (
	ExportCSV     = "csv"     // one row per event, the Columns in order
	ExportHXL     = "hxl"     // the same with a row of HXL hashtags under the header
	ExportGeoJSON = "geojson" // a FeatureCollection, one Point (or null) feature per event
)

// Column is one column of the CSV and HXL exports.
type Column struct {
	Name string // header text
	Tag  string // HXL hashtag
}

// columns is the stable export layout: columns are only ever added at the
// end. Counts are whole numbers; times RFC 3339 UTC; lists of actors and
// sources and the source attributes are JSON (CSV cannot nest); flags are
// joined with "; ". Reading an HXL export back with the "hxl" reader gives
// the same events.
var columns = []Column{
	{"id", "#event+id"},
	{"mission", "#meta+mission"},
	{"type", "#event+type"},
	{"title", "#description+title"},
	{"narrative", "#description"},
	{"start", "#date+start"},
	{"end", "#date+end"},
	{"date_precision", "#date+precision"},
	{"latitude", "#geo+lat"},
	{"longitude", "#geo+lon"},
	{"location_precision", "#geo+precision"},
	{"place_name", "#loc+name"},
	{"country", "#country+code"},
	{"admin1_pcode", "#adm1+code"},
	{"admin1_name", "#adm1+name+official"},
	{"admin2_pcode", "#adm2+code"},
	{"admin2_name", "#adm2+name+official"},
	{"source_admin1", "#adm1+name"},
	{"source_admin2", "#adm2+name"},
	{"actors", "#group+json"},
	{"fatalities_low", "#affected+killed+low"},
	{"fatalities_best", "#affected+killed"},
	{"fatalities_high", "#affected+killed+high"},
	{"civilian_fatalities_low", "#affected+killed+civilians+low"},
	{"civilian_fatalities_best", "#affected+killed+civilians"},
	{"civilian_fatalities_high", "#affected+killed+civilians+high"},
	{"peacekeeper_fatalities_low", "#affected+killed+peacekeepers+low"},
	{"peacekeeper_fatalities_best", "#affected+killed+peacekeepers"},
	{"peacekeeper_fatalities_high", "#affected+killed+peacekeepers+high"},
	{"injuries_low", "#affected+injured+low"},
	{"injuries_best", "#affected+injured"},
	{"injuries_high", "#affected+injured+high"},
	{"status", "#status"},
	{"verified_by", "#status+by"},
	{"verified_at", "#status+date"},
	{"verification_reason", "#status+reason"},
	{"classification", "#meta+classification"},
	{"source", "#meta+provenance"},
	{"source_id", "#meta+id"},
	{"sources", "#meta+sources+json"},
	{"source_attrs", "#meta+attrs+json"},
	{"flags", "#meta+flags"},
	{"created_at", "#date+created"},
	{"updated_at", "#date+updated"},
	{"version", "#meta+version"},
}

// Columns returns the columns of the CSV and HXL exports, in order.
func Columns() []Column { return append([]Column(nil), columns...) }

// Write writes events to w in format (ExportCSV, ExportHXL or
// ExportGeoJSON). It stops at the first error of the sequence or of w.
func Write(format string, w io.Writer, events iter.Seq2[Event, error]) error {
	switch format {
	case ExportCSV:
		return WriteCSV(w, events)
	case ExportHXL:
		return WriteHXL(w, events)
	case ExportGeoJSON:
		return WriteGeoJSON(w, events)
	}
	return peaceops.Errorf(peaceops.EINVALID, "events: unknown export format %q (want csv, hxl or geojson)", format)
}

// WriteCSV writes one header row and one row per event.
func WriteCSV(w io.Writer, events iter.Seq2[Event, error]) error {
	return writeTable(w, events, false)
}

// WriteHXL writes the header row, the row of HXL hashtags, then one row per
// event.
func WriteHXL(w io.Writer, events iter.Seq2[Event, error]) error {
	return writeTable(w, events, true)
}

func writeTable(w io.Writer, events iter.Seq2[Event, error], hxl bool) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(columns))
	for i, c := range columns {
		row[i] = c.Name
	}
	cw.Write(row)
	if hxl {
		for i, c := range columns {
			row[i] = c.Tag
		}
		cw.Write(row)
	}
	for e, err := range events {
		if err != nil {
			return err
		}
		if err := eventRow(row, &e); err != nil {
			return err
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// eventRow fills row with e, in the order of columns.
func eventRow(row []string, e *Event) error {
	lat, lon := "", ""
	if e.Location != nil {
		lat = strconv.FormatFloat(e.Location.Lat, 'f', -1, 64)
		lon = strconv.FormatFloat(e.Location.Lon, 'f', -1, 64)
	}
	var ver Verification
	if e.Verification != nil {
		ver = *e.Verification
	}
	actors, err := jsonCell(e.Actors, len(e.Actors) == 0)
	if err != nil {
		return err
	}
	sources, err := jsonCell(e.Sources, len(e.Sources) == 0)
	if err != nil {
		return err
	}
	attrs, err := jsonCell(e.SourceAttrs, len(e.SourceAttrs) == 0)
	if err != nil {
		return err
	}
	class := ""
	if e.Classification != 0 {
		class = e.Classification.String()
	}
	cells := []string{
		e.ID, e.Mission, string(e.Type), e.Title, e.Narrative,
		timeCell(e.Start), timeCell(e.End), string(e.DatePrecision),
		lat, lon, string(e.LocationPrecision), e.PlaceName, e.Country,
		e.Admin1.PCode, e.Admin1.Name, e.Admin2.PCode, e.Admin2.Name,
		e.SourceAdmin1, e.SourceAdmin2, actors,
	}
	for _, c := range []Count{e.Fatalities, e.CivilianFatalities, e.PeacekeeperFatalities, e.Injuries} {
		cells = append(cells, strconv.Itoa(c.Low), strconv.Itoa(c.Best), strconv.Itoa(c.High))
	}
	cells = append(cells,
		string(e.Status), ver.By, timeCell(ver.At), ver.Reason, class,
		e.Source, e.SourceID, sources, attrs, strings.Join(e.Flags, "; "),
		timeCell(e.CreatedAt), timeCell(e.UpdatedAt), strconv.FormatInt(e.Version, 10),
	)
	if len(cells) != len(row) {
		return fmt.Errorf("events: export row has %d cells for %d columns", len(cells), len(row))
	}
	copy(row, cells)
	return nil
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func jsonCell(v any, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// WriteGeoJSON writes a GeoJSON FeatureCollection through geo's streaming
// writer: one feature per event, its geometry a Point (null when the event
// has no location), its id the event ID, its properties the event's JSON
// form without "location".
func WriteGeoJSON(w io.Writer, events iter.Seq2[Event, error]) error {
	fw := geo.NewFeatureWriter(w)
	for e, err := range events {
		if err != nil {
			return err
		}
		f, err := eventFeature(&e)
		if err != nil {
			return err
		}
		if err := fw.Write(f); err != nil {
			return fmt.Errorf("events: export event %s: %w", e.ID, err)
		}
	}
	return fw.Close()
}

func eventFeature(e *Event) (geo.Feature, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return geo.Feature{}, fmt.Errorf("events: export event %s: %w", e.ID, err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return geo.Feature{}, err
	}
	delete(members, "location")
	props := make(map[string]any, len(members))
	for k, v := range members {
		props[k] = v
	}
	f := geo.Feature{Properties: props}
	if e.ID != "" {
		f.ID = e.ID
	}
	if e.Location != nil {
		f.Geometry = e.Location.Geometry()
	}
	return f, nil
}

// All returns a sequence of the events of a slice, for the writers.
func All(events []Event) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// Events returns the sequence of what r reads: each event with a nil
// error, each *RowError with a zero event (the sequence goes on after it),
// and a final error when the input cannot be read further. It ends at
// io.EOF.
func Events(r Reader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			e, err := r.Next()
			var re *RowError
			switch {
			case err == nil:
				if !yield(e, nil) {
					return
				}
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &re):
				if !yield(Event{}, err) {
					return
				}
			default:
				yield(Event{}, err)
				return
			}
		}
	}
}
