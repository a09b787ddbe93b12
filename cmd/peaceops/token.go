package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
)

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: peaceops token create|list|revoke [flags]")
		return exitError(2)
	}
	fs := newFlags(env, "token "+args[0], "--username U [--name N] [--ttl DURATION] | --id ID")
	dsn := dbFlag(fs)
	username := fs.String("username", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: until revoked)")
	id := fs.String("id", "", "token id (revoke)")
	if err := parse(env, fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := access.NewService(db, access.Options{})
	switch args[0] {
	case "create":
		token, _, err := svc.CreateToken(ctx, *username, *name, *ttl)
		if err != nil {
			return err
		}
		// Only the token, on one line, so scripts can capture it.
		fmt.Fprintln(env.Stdout, token)
		return nil
	case "list":
		tokens, err := svc.FindTokens(ctx, *username)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED\tEXPIRES\tREVOKED")
		for _, t := range tokens {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339), fmtTime(t.ExpiresAt), fmtTime(t.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		if err := svc.RevokeToken(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "token %s revoked\n", *id)
		return nil
	}
	return fmt.Errorf("unknown token command %q (want create, list or revoke)", args[0])
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
