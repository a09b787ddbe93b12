package main

import (
	"context"
	"fmt"

	"github.com/peaceops/peaceops/store"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "migrate", "[--db FILE|URL]")
	dsn := dbFlag(fs)
	status := fs.Bool("status", false, "only print the schema version and whether it is behind")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "schema version %d of %d\n", cur, latest)
		if cur < latest {
			return exitError(3)
		}
		return nil
	}
	v, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "schema at version %d\n", v)
	return nil
}
