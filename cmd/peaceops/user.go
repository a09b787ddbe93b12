package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: peaceops user add|list|passwd|disable|enable [flags]")
		return exitError(2)
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, env, args[1:])
	case "list":
		return runUserList(ctx, env, args[1:])
	case "passwd":
		return runUserPasswd(ctx, env, args[1:])
	case "disable", "enable":
		return runUserDisable(ctx, env, args[0], args[1:])
	}
	return fmt.Errorf("unknown user command %q (want add, list, passwd, disable or enable)", args[0])
}

// readPassword reads one line from stdin: the password, never a flag or an
// environment variable, so it stays out of shell history and process lists.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("no password on stdin (pipe it in: printf '%%s\\n' \"$PASSWORD\" | peaceops user add ...)")
	}
	return pw, nil
}

func runUserAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user add", "--username U --password-stdin [--admin] [--mission CODE --role ROLE]")
	dsn := dbFlag(fs)
	username := fs.String("username", "", "login name (lowercase letters, digits, . _ -)")
	name := fs.String("name", "", "display name")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	admin := fs.Bool("admin", false, "make the user a global administrator")
	mission := fs.String("mission", "", "mission code to add the user to")
	role := fs.String("role", "", "mission role (with --mission)")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	if !*stdin {
		fs.Usage()
		return fmt.Errorf("--password-stdin is required: peaceops never takes passwords as flags and has no default passwords")
	}
	if (*mission == "") != (*role == "") {
		return fmt.Errorf("--mission and --role go together")
	}
	pw, err := readPassword(env.Stdin)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := access.NewService(db, access.Options{})
	u, err := svc.CreateUser(ctx, access.UserCreate{Username: *username, Password: pw, DisplayName: *name, Admin: *admin})
	if err != nil {
		return err
	}
	if *mission != "" {
		if err := svc.AddMember(ctx, *mission, u.Username, peaceops.Role(*role)); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "user %s created\n", u.Username)
	return nil
}

func runUserList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user list", "[--db FILE|URL]")
	dsn := dbFlag(fs)
	if err := parse(env, fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	users, err := access.NewService(db, access.Options{}).FindUsers(ctx, access.UserFilter{Limit: 1000})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tADMIN\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%v\n", u.Username, u.DisplayName, u.Admin, u.Disabled)
	}
	return tw.Flush()
}

func runUserPasswd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user passwd", "--username U --password-stdin")
	dsn := dbFlag(fs)
	username := fs.String("username", "", "login name")
	stdin := fs.Bool("password-stdin", false, "read the new password from standard input (required)")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	if !*stdin {
		return fmt.Errorf("--password-stdin is required")
	}
	pw, err := readPassword(env.Stdin)
	if err != nil {
		return err
	}
	return updateUser(ctx, *dsn, *username, access.UserUpdate{Password: &pw}, env, "password changed")
}

func runUserDisable(ctx context.Context, env *Env, verb string, args []string) error {
	fs := newFlags(env, "user "+verb, "--username U")
	dsn := dbFlag(fs)
	username := fs.String("username", "", "login name")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	disabled := verb == "disable"
	return updateUser(ctx, *dsn, *username, access.UserUpdate{Disabled: &disabled}, env, verb+"d")
}

func updateUser(ctx context.Context, dsn, username string, upd access.UserUpdate, env *Env, done string) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := access.NewService(db, access.Options{})
	u, err := svc.FindUserByUsername(ctx, username)
	if err != nil {
		return err
	}
	if _, err := svc.UpdateUser(ctx, username, upd, u.Version); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "user %s: %s\n", username, done)
	return nil
}
