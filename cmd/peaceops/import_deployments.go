package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/missions"
)

func runImportDeployments(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import deployments", "--mission CODE [--geopko-mission ACRONYM] [--db FILE|URL] FrontMap_v.2.3.csv")
	dsn := dbFlag(fs)
	mission := fs.String("mission", "", "code of the mission to import into (required)")
	acronym := fs.String("geopko-mission", "", "the mission's name in Geo-PKO (default: the mission code)")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	if *mission == "" {
		fs.Usage()
		return fmt.Errorf("--mission is required")
	}
	code := strings.ToUpper(*mission)
	if *acronym == "" {
		*acronym = code
	}
	sites, err := readGeoPKO(path, *acronym)
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		return fmt.Errorf("%s holds no site of %q (is --geopko-mission the mission's Geo-PKO name?)", path, *acronym)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	n, err := missions.NewService(db, access.NewService(db, access.Options{})).ImportDeployments(ctx, code, missions.SourceGeoPKO, sites)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: %d deployment sites of %s\n", path, n, code)
	return nil
}

// readGeoPKO reads the Geo-PKO aggregates whose FrontMap file is at path,
// with the TTMap and TCCMap files beside it when they are there.
func readGeoPKO(path, acronym string) ([]missions.Site, error) {
	front, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer front.Close()
	files := missions.GeoPKOFiles{Front: front}
	dir := filepath.Dir(path)
	suffix := strings.TrimPrefix(filepath.Base(path), "FrontMap")
	if f, err := os.Open(filepath.Join(dir, "TTMap"+suffix)); err == nil {
		defer f.Close()
		files.UnitTypes = f
	}
	if f, err := os.Open(filepath.Join(dir, "TCCMap"+suffix)); err == nil {
		defer f.Close()
		files.Contributors = f
	}
	return missions.ReadGeoPKO(files, acronym)
}
