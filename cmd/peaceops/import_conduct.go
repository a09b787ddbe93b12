package main

import (
	"context"
	"fmt"
	"os"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
)

// runImportSEA imports the UN's public table of sexual exploitation and
// abuse allegations as the historical record the conduct statistics count.
func runImportSEA(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import sea", "[--source NAME] [--db FILE|URL] FILE.csv")
	dsn := dbFlag(fs)
	source := fs.String("source", conduct.SEASource, "name of the table: a new import of the same name replaces the old one")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := conduct.ParseSEA(f)
	if err != nil {
		if fields := peaceops.ErrorFields(err); len(fields) > 0 {
			for _, fe := range fields {
				fmt.Fprintf(env.Stderr, "%s: %s: %s\n", path, fe.Field, fe.Message)
			}
			return fmt.Errorf("%d problems in %s: nothing was imported", len(fields), path)
		}
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	res, err := conduct.NewService(db, nil).ImportSEA(ctx, *source, recs)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s as %s: %d allegations (%d of an earlier import replaced)\n", path, res.Source, res.Rows, res.Replaced)
	return nil
}
