package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
)

// runImportForces imports a file of the forces module: IPI contributions
// (strength returns) or UN peacekeeper fatalities.
func runImportForces(ctx context.Context, env *Env, what string, args []string) error {
	fs := newFlags(env, "import "+what, "[--mission CODE] [--dry-run] [--db FILE|URL] FILE")
	dsn := dbFlag(fs)
	mission := fs.String("mission", "", "import only this mission's rows (default: every mission of the file that exists)")
	dryRun := fs.Bool("dry-run", false, "check the file and count what would change, without writing")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := forces.NewService(db, nil)
	opts := forces.ImportOptions{Mission: strings.ToUpper(*mission), Source: filepath.Base(path), DryRun: *dryRun}
	var res forces.ImportResult
	if what == "contributions" {
		res, err = svc.ImportContributions(ctx, f, opts)
	} else {
		res, err = svc.ImportFatalities(ctx, f, opts)
	}
	return reportForcesImport(env.Stdout, env.Stderr, path, res, err, *dryRun)
}

func reportForcesImport(stdout, stderr io.Writer, path string, res forces.ImportResult, err error, dryRun bool) error {
	for _, re := range res.Errors {
		fmt.Fprintf(stderr, "%s: %v\n", path, re)
	}
	if err != nil {
		return err
	}
	if len(res.Absent) > 0 {
		fmt.Fprintf(stderr, "%s: rows of missions not in the database were skipped: %s\n", path, strings.Join(res.Absent, ", "))
	}
	verb := "imported"
	if dryRun {
		verb = "dry run, nothing written: would import"
	}
	missions := strings.Join(res.Missions, ", ")
	if missions == "" {
		missions = "no mission"
	}
	fmt.Fprintf(stdout, "%s %s: %d rows read, %d written for %s, %d skipped\n",
		verb, path, res.Read, res.Imported, missions, res.Skipped)
	return nil
}
