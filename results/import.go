package results

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ValueRow is one row of a values spreadsheet: the layout of the Values
// sheet of the XLSX export and of the CSV export's value columns.
type ValueRow struct {
	Line         int // the spreadsheet row, for errors (the header is row 1)
	Indicator    string
	Period       string
	Cell         string
	Value        string
	EvidenceNote string
	EvidenceLink string
}

// maxImportRows bounds one import.
const maxImportRows = 100000

// ReadValues reads the rows of a values spreadsheet, CSV (format "csv") or
// XLSX ("xlsx": the sheet named Values, else the first). The header row
// names the columns, in any order and case: indicator, period and value
// are required; cell, evidence_note and evidence_link optional; others are
// ignored (so a CSV export reads back). Errors are EINVALID naming the
// problem.
func ReadValues(r io.Reader, format string) ([]ValueRow, error) {
	var records [][]string
	switch format {
	case "csv":
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = false
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, peaceops.Errorf(peaceops.EINVALID, "the file is not valid CSV: %v", err)
			}
			if records = append(records, rec); len(records) > maxImportRows+1 {
				return nil, peaceops.Errorf(peaceops.EINVALID, "the file has more than %d rows: split it", maxImportRows)
			}
		}
	case "xlsx":
		b, err := io.ReadAll(io.LimitReader(r, 64<<20))
		if err != nil {
			return nil, err
		}
		book, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "the file is not an XLSX workbook: %v", err)
		}
		defer book.Close()
		sheet := "Values"
		if idx, _ := book.GetSheetIndex(sheet); idx < 0 {
			sheet = book.GetSheetName(0)
		}
		if records, err = book.GetRows(sheet); err != nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "sheet %s cannot be read: %v", sheet, err)
		}
		if len(records) > maxImportRows+1 {
			return nil, peaceops.Errorf(peaceops.EINVALID, "the sheet has more than %d rows: split it", maxImportRows)
		}
	default:
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "format", Message: "must be csv or xlsx"}})
	}
	if len(records) == 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the file is empty: the first row must name the columns indicator, period, value")
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var missing []string
	for _, c := range []string{"indicator", "period", "value"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the header row lacks the column(s) %s", strings.Join(missing, ", "))
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	out := make([]ValueRow, 0, len(records)-1)
	for n, rec := range records[1:] {
		if !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue // blank rows of spreadsheets
		}
		out = append(out, ValueRow{Line: n + 2, Indicator: get(rec, "indicator"), Period: get(rec, "period"), Cell: get(rec, "cell"),
			Value: get(rec, "value"), EvidenceNote: get(rec, "evidence_note"), EvidenceLink: get(rec, "evidence_link")})
	}
	return out, nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Imported int `json:"imported"`
}

// ImportValues enters every row as the value of the indicator it names,
// all or nothing: one bad row imports none, and the error lists every bad
// row ("row 4: value: 140 is not a percentage (0 to 100)"). Imported
// values are "entered" and wait for approval. Planners and mission-admins
// ("import" on values).
func (s *Service) ImportValues(ctx context.Context, mission string, rows []ValueRow) (ImportResult, error) {
	if err := s.can(ctx, mission, access.ActionImport, ms(mission, peaceops.Internal)); err != nil {
		return ImportResult{}, err
	}
	if len(rows) == 0 {
		return ImportResult{}, peaceops.Errorf(peaceops.EINVALID, "the file has no value rows")
	}
	clear, err := s.readable(ctx, mission)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		list, err := findIndicators(ctx, tx, mission, clear)
		if err != nil {
			return err
		}
		byCode := map[string]*Indicator{}
		for _, in := range list {
			byCode[in.Code] = in
		}
		var p problems
		seen := map[string]int{}
		bad := func(row ValueRow, field, msg string) {
			p.add(fmt.Sprintf("row %d", row.Line), field+": "+msg)
		}
		for _, row := range rows {
			if len(p) >= 100 {
				p.add("rows", "more errors not shown")
				break
			}
			in := byCode[row.Indicator]
			if in == nil {
				bad(row, "indicator", fmt.Sprintf("%q is not an indicator code of %s", row.Indicator, mission))
				continue
			}
			v, err := strconv.ParseFloat(strings.Replace(row.Value, ",", ".", 1), 64)
			if err != nil {
				bad(row, "value", fmt.Sprintf("%q is not a number", row.Value))
				continue
			}
			cell, err := ParseCell(row.Cell)
			if err != nil {
				bad(row, "cell", peaceops.ErrorMessage(err))
				continue
			}
			key := in.ID + "|" + row.Period + "|" + cell.String()
			if first, dup := seen[key]; dup {
				label := cell.String()
				if label == "" {
					label = "total"
				}
				bad(row, "period", fmt.Sprintf("row %d already gives %s %s (%s)", first, in.Code, row.Period, label))
				continue
			}
			seen[key] = row.Line
			if _, err := enter(ctx, tx, in, Entry{Period: row.Period, Cell: cell, Value: v, EvidenceNote: row.EvidenceNote, EvidenceLink: row.EvidenceLink}); err != nil {
				switch peaceops.ErrorCode(err) {
				case peaceops.EINVALID:
					fields := peaceops.ErrorFields(err)
					if len(fields) == 0 {
						bad(row, "value", peaceops.ErrorMessage(err))
					}
					for _, f := range fields {
						bad(row, f.Field, f.Message)
					}
				case peaceops.ECONFLICT:
					bad(row, "period", peaceops.ErrorMessage(err))
				default:
					return err
				}
				continue
			}
			res.Imported++
		}
		return peaceops.Invalid(p)
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}
