package main

import (
	"flag"
	"fmt"
	"strings"
)

// newFlags returns a flag set for a subcommand whose usage lists the
// environment variable of every flag.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("peaceops "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: peaceops %s %s\n\nFlags (each also read from PEACEOPS_<NAME>):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, then fills every flag not given on the command line
// from its PEACEOPS_* environment variable (--secure-cookies from
// PEACEOPS_SECURE_COOKIES).
func parse(env *Env, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := "PEACEOPS_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env.Getenv(name); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

// dbFlag declares the --db flag every database command takes.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "peaceops.db", "database: a SQLite file path, or a postgres:// URL")
}
