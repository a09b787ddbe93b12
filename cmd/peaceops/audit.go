package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/audit"
)

func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(env.Stderr, "Usage: peaceops audit verify [--db FILE|URL] [--head SEQ:HASH]")
		return exitError(2)
	}
	fs := newFlags(env, "audit verify", "[--db FILE|URL] [--head SEQ:HASH]")
	dsn := dbFlag(fs)
	head := fs.String("head", "", "a head recorded earlier (SEQ:HASH, as printed by a previous verify): also check it is still in the chain, which detects a truncated or rewritten tail")
	if err := parse(env, fs, args[1:]); err != nil {
		return err
	}
	// No migration: verify must be able to check a backup or a restored
	// copy exactly as it is.
	db, err := openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := audit.NewService(db)
	var rep audit.Report
	if *head != "" {
		seqText, hash, ok := strings.Cut(*head, ":")
		seq, err := strconv.ParseInt(seqText, 10, 64)
		if !ok || err != nil {
			return fmt.Errorf("--head must be SEQ:HASH, as printed by an earlier verify")
		}
		rep, err = svc.VerifyAgainst(ctx, seq, hash)
		if err != nil {
			return err
		}
	} else if rep, err = svc.Verify(ctx); err != nil {
		return err
	}
	if rep.FirstBad != nil {
		id := ""
		if rep.FirstBad.ID != "" {
			id = " (id " + rep.FirstBad.ID + ")"
		}
		fmt.Fprintf(env.Stdout, "audit log BROKEN at entry %d%s: %s\n", rep.FirstBad.Seq, id, rep.FirstBad.Reason)
		return exitError(1)
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %d:%s\n", rep.Entries, rep.LastSeq, rep.LastHash)
	return nil
}
