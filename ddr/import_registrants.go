package ddr

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ImportColumns are the columns of a registration spreadsheet, in any
// order, matched by header without regard to case. name, sex,
// birth_precision, registered_on and site_id are required; name_variants
// holds spellings separated by ";".
var ImportColumns = []string{"name", "name_variants", "mother_name", "sex", "birth_precision", "birth_date", "birth_year",
	"age_low", "age_high", "origin_pcode", "armed_group", "rank", "registered_on", "site_id", "dependants"}

// maxImportRows bounds one spreadsheet.
const maxImportRows = 50000

// RowError is a problem with one row of a spreadsheet: its line (the
// header is line 1) and field.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message) }

// ImportRow is a registrant read from a spreadsheet with its line.
type ImportRow struct {
	Line       int
	Registrant Registrant
}

// ReadRegistrants reads a registration spreadsheet, "csv" or "xlsx" (its
// first sheet). It returns the rows that parse and a RowError for every
// cell that does not; err is for a file that cannot be read at all.
func ReadRegistrants(format string, r io.Reader) ([]ImportRow, []RowError, error) {
	var records [][]string
	switch format {
	case "csv":
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: not a readable CSV file: %v", err)
			}
			records = append(records, rec)
			if len(records) > maxImportRows+1 {
				return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: more than %d rows: split the file", maxImportRows)
			}
		}
	case "xlsx":
		b, err := io.ReadAll(io.LimitReader(r, 64<<20))
		if err != nil {
			return nil, nil, err
		}
		book, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: not a readable XLSX file: %v", err)
		}
		defer book.Close()
		sheets := book.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: the workbook has no sheet")
		}
		if records, err = book.GetRows(sheets[0]); err != nil {
			return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: cannot read sheet %q: %v", sheets[0], err)
		}
		if len(records) > maxImportRows+1 {
			return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: more than %d rows: split the file", maxImportRows)
		}
	default:
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: unknown format %q (want csv or xlsx)", format)
	}
	if len(records) == 0 {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "registrants: the file is empty: the first row must name the columns")
	}
	col := map[string]int{}
	var errs []RowError
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			errs = append(errs, RowError{Line: 1, Field: fmt.Sprintf("column %d", i+1), Message: "has no name: name every column or remove it"})
			continue
		}
		known := false
		for _, c := range ImportColumns {
			known = known || c == h
		}
		if !known {
			errs = append(errs, RowError{Line: 1, Field: h, Message: "is not a known column (" + strings.Join(ImportColumns, ", ") + ")"})
			continue
		}
		if _, dup := col[h]; dup {
			errs = append(errs, RowError{Line: 1, Field: h, Message: "column appears twice"})
			continue
		}
		col[h] = i
	}
	for _, c := range []string{"name", "sex", "birth_precision", "registered_on", "site_id"} {
		if _, ok := col[c]; !ok {
			errs = append(errs, RowError{Line: 1, Field: c, Message: "required column is missing"})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	var rows []ImportRow
	for n, rec := range records[1:] {
		line := n + 2
		get := func(c string) string {
			i, ok := col[c]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		empty := true
		for _, v := range rec {
			empty = empty && strings.TrimSpace(v) == ""
		}
		if empty {
			continue
		}
		bad := false
		fail := func(field, msg string) {
			errs = append(errs, RowError{Line: line, Field: field, Message: msg})
			bad = true
		}
		num := func(c string) int {
			v := get(c)
			if v == "" {
				return 0
			}
			i, err := strconv.Atoi(v)
			if err != nil {
				fail(c, fmt.Sprintf("%q is not a whole number", v))
			}
			return i
		}
		date := func(c string) peaceops.Date {
			v := get(c)
			if v == "" {
				return peaceops.Date{}
			}
			d, err := peaceops.ParseDate(v)
			if err != nil {
				fail(c, fmt.Sprintf("%q is not a date YYYY-MM-DD", v))
			}
			return d
		}
		reg := Registrant{Name: get("name"), MotherName: get("mother_name"), Sex: Sex(strings.ToUpper(get("sex"))),
			BirthPrecision: BirthPrecision(strings.ToLower(get("birth_precision"))), BirthDate: date("birth_date"), BirthYear: num("birth_year"),
			AgeLow: num("age_low"), AgeHigh: num("age_high"), OriginPCode: get("origin_pcode"), ArmedGroup: get("armed_group"), Rank: get("rank"),
			RegisteredOn: date("registered_on"), SiteID: get("site_id"), Dependants: num("dependants"), Classification: peaceops.Confidential}
		for _, v := range strings.Split(get("name_variants"), ";") {
			if v = strings.TrimSpace(v); v != "" {
				reg.NameVariants = append(reg.NameVariants, v)
			}
		}
		if bad {
			continue
		}
		if err := reg.Validate(); err != nil {
			for _, f := range peaceops.ErrorFields(err) {
				fail(f.Field, f.Message)
			}
			continue
		}
		rows = append(rows, ImportRow{Line: line, Registrant: reg})
	}
	return rows, errs, nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Registered int `json:"registered"`
	CAAFAG     int `json:"caafag"` // routed to child protection
	Candidates int `json:"candidates"`
}

// ImportRegistrants registers every row in one transaction: all or
// nothing. Bad rows (including a site that is not the mission's) are
// returned together as one EINVALID error whose fields read
// "line N: field".
func (s *Service) ImportRegistrants(ctx context.Context, mission string, rows []ImportRow, rowErrs []RowError) (*ImportResult, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionImport, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Confidential}); err != nil {
		return nil, err
	}
	if err := rowsInvalid(rowErrs); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		var errs []RowError
		for i := range rows {
			r := &rows[i].Registrant
			r.Mission = mission
			if _, err := findSite(ctx, tx, mission, r.SiteID); err != nil {
				errs = append(errs, RowError{Line: rows[i].Line, Field: "site_id", Message: "is not a site of this mission"})
			}
		}
		if err := rowsInvalid(errs); err != nil {
			return err
		}
		for i := range rows {
			reg, err := register(ctx, tx, actor, &rows[i].Registrant)
			if err != nil {
				return fmt.Errorf("ddr: import line %d: %w", rows[i].Line, err)
			}
			res.Registered++
			if reg.CAAFAG {
				res.CAAFAG++
			}
			res.Candidates += len(reg.Candidates)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func rowsInvalid(errs []RowError) error {
	if len(errs) == 0 {
		return nil
	}
	fields := make([]peaceops.FieldError, len(errs))
	for i, e := range errs {
		fields[i] = peaceops.FieldError{Field: fmt.Sprintf("line %d: %s", e.Line, e.Field), Message: e.Message}
	}
	return peaceops.Invalid(fields)
}
