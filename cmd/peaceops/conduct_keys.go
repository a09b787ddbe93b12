package main

import (
	"context"
	"fmt"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/sealed"
)

// runConductKeys manages the data keys (package sealed) of conduct:
// "datakey new ID" prints a fresh key; "datakey reseal" re-seals
// every victim identity with the current key (the first of the keyring)
// after a rotation. See docs/CONDUCT.md.
func runConductKeys(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "new" && args[0] != "reseal") {
		fmt.Fprintln(env.Stderr, "Usage: peaceops datakey new ID | reseal [--data-key-file FILE] [--db FILE|URL]")
		return exitError(2)
	}
	if args[0] == "new" {
		id := "k1"
		if len(args) > 1 {
			id = args[1]
		}
		key := sealed.NewKey(id)
		if _, err := sealed.ParseKeys(key); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, key)
		return nil
	}
	fs := newFlags(env, "datakey reseal", "[--data-key-file FILE] [--db FILE|URL]")
	dsn := dbFlag(fs)
	keyFile := fs.String("data-key-file", "", "file holding the data keys, the new current key first (else PEACEOPS_DATA_KEY)")
	if err := parse(env, fs, args[1:]); err != nil {
		return err
	}
	keys, err := dataKeys(env, *keyFile)
	if err != nil {
		return err
	}
	if keys == nil {
		return sealed.ErrNoKey
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	n, err := conduct.NewService(db, keys).ResealVictims(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "re-sealed %d victim identities with key %s\n", n, keys.Current())
	return nil
}
