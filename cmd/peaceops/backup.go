package main

import (
	"context"
	"fmt"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "backup", "--out FILE [--db FILE]")
	dsn := dbFlag(fs)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("--out is required")
	}
	db, err := openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", *out)
	return nil
}
