// Command peaceops is the peaceops mission management information system:
// one binary that serves the API and web UI, migrates the database, manages
// users and tokens, verifies the audit chain and makes backups.
//
// Only this package reads configuration (flags and PEACEOPS_* environment
// variables) and wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/peaceops/peaceops"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch of the outside world; tests replace it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

func commands() []command {
	return []command{
		{"serve", "serve the API and web UI", runServe},
		{"demo", "build a demo mission and serve it", runDemo},
		{"migrate", "apply pending database migrations", runMigrate},
		{"user", "manage users (add, list, passwd, disable, enable)", runUser},
		{"token", "manage API tokens (create, list, revoke)", runToken},
		{"audit", "verify the audit log (audit verify)", runAudit},
		{"backup", "make a consistent online copy of a SQLite database", runBackup},
		{"import", "import events, areas, deployments, contributions, fatalities, sea or ddr registrations", runImport},
		{"datakey", "make a data key, or re-seal victim identities after a rotation", runConductKeys},
		{"bench", "measure API throughput against a bare net/http handler (bench api)", runBench},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := Run(ctx, env, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	var ex exitError
	if errors.As(err, &ex) {
		os.Exit(int(ex)) // the command has said what went wrong
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peaceops:", describe(err))
		os.Exit(1)
	}
}

// exitError asks for a specific exit status without another message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// describe renders err for a terminal: application errors with their field
// list, anything else as it is (the operator is the one who needs detail).
func describe(err error) string {
	var pe *peaceops.Error
	if errors.As(err, &pe) {
		msg := pe.Message
		for _, f := range pe.Fields {
			if !strings.HasPrefix(msg, f.Field+":") {
				msg += "\n  " + f.Field + ": " + f.Message
			}
		}
		if pe.Code == peaceops.EINTERNAL {
			return err.Error()
		}
		return msg
	}
	return err.Error()
}

// Run runs the subcommand named by args[0].
func Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return exitError(2)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	usage(env.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "peaceops: mission management information system for peace operations")
	fmt.Fprintln(w, "\nUsage: peaceops <command> [flags]   (peaceops <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set by an environment variable PEACEOPS_<FLAG> (e.g. PEACEOPS_DB).")
}
