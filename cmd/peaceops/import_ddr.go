package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/ddr"
)

// runImportDDR imports a registration spreadsheet of ex-combatants: all
// rows or none, every bad row reported with its line and field.
func runImportDDR(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import ddr", "--mission CODE [--format csv|xlsx] [--db FILE|URL] FILE")
	dsn := dbFlag(fs)
	mission := fs.String("mission", "", "code of the mission to register into (required)")
	format := fs.String("format", "", "csv or xlsx (default: from the file name)")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	if *mission == "" {
		fs.Usage()
		return fmt.Errorf("--mission is required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, rowErrs, err := ddr.ReadRegistrants(*format, f)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	res, err := ddr.NewService(db).ImportRegistrants(ctx, strings.ToUpper(*mission), rows, rowErrs)
	if err != nil {
		for _, fe := range peaceops.ErrorFields(err) {
			fmt.Fprintf(env.Stderr, "%s: %s: %s\n", path, fe.Field, fe.Message)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: %d registrants (%d routed to child protection), %d duplicate candidates\n", path, res.Registered, res.CAAFAG, res.Candidates)
	return nil
}
