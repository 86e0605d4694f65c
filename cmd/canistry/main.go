// Command canistry is Canistry's single binary: the local replica, the
// gateway, the dev environment, admin commands, and (hidden) the built-in
// adapters, which the gateway runs as `canistry adapter <name>`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
	// hidden commands are not listed by usage: they are for canistry's
	// own use, such as the built-in adapters the gateway re-executes.
	hidden bool
}

var commands []command

// init fills commands here rather than in its declaration: usage refers
// to commands, and the commands' run functions call usage.
func init() {
	commands = []command{
		{name: "replica", summary: "run a local Internet Computer replica", run: runReplica},
		{name: "gateway", summary: "serve the stable Connect API over a replica or the IC", run: runGateway},
		{name: "dev", summary: "run a replica, the registry, the gateway and one personal canister per version", run: runDev},
		{name: "canister", summary: "create, upgrade and describe canisters of the dev environment", run: runCanister},
		{name: "session", summary: "print a Canistry-Delegation header value for an identity", run: runSession},
		{name: "identity", summary: "make a PEM identity", run: runIdentity},
		{name: "app", summary: "list and create apps of the store, manage their developers", run: runApp},
		{name: "release", summary: "upload, review, publish and revoke an app's releases", run: runRelease},
		{name: "install", summary: "get your own canister of an app; prints its id", run: runInstall},
		{name: "canisters", summary: "list your canisters and the upgrades available", run: runCanisters},
		{name: "upgrade", summary: "upgrade your canister, showing the steps live", run: runUpgrade},
		{name: "credit", summary: "your cycles credit; grant credit to owners (operators)", run: runCredit},
		{name: "cycles", summary: "canisters' cycles, low ones, the registry's own, top-up policies", run: runCycles},
		{name: "rollout", summary: "upgrade the opted-in canisters of an app in batches (operators)", run: runRollout},
		{name: "role", summary: "grant or revoke registry roles (operators)", run: runRole},
		{name: "dashboard", summary: "print the URL of the gateway's dashboard, signed in as you", run: runDashboard},
		{name: "whoami", summary: "print your identity's principal", run: runWhoami},
		{name: "adapter", summary: "serve a built-in adapter (run by the gateway)", run: runAdapter, hidden: true},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and turns its error into an exit code:
// 0 success, 2 usage errors, 1 everything else.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "canistry %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "canistry: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error already reported by the flag package.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: canistry <command> [flags]\n\nCommands:")
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintln(w, "\nRun 'canistry <command> --help' for a command's flags.")
}

// envVars maps a command's flag names to their CANISTRY_* environment
// fallbacks.
type envVars map[string]string

// parseFlags parses a command's flags: --help is flag.ErrHelp (exit 0), a
// bad flag errUsage (exit 2, the flag package has said why), and so is a
// positional argument when the command takes none (allowArgs false).
//
// A flag not given on the command line takes its variable from env when
// that is set (even to ""), through the flag's own parser: a bad value is
// errUsage too, with a line naming the variable, never a silent default.
func parseFlags(fs *flag.FlagSet, env envVars, args []string, allowArgs bool, stderr io.Writer) error {
	describeEnv(fs, env)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if !allowArgs && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "canistry %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return applyEnv(fs, env, stderr)
}

// describeEnv adds each flag's variable to its --help line.
func describeEnv(fs *flag.FlagSet, env envVars) {
	for name, variable := range env {
		f := fs.Lookup(name)
		if f == nil {
			panic("envVars names no flag --" + name) // a programming error
		}
		f.Usage += " (env " + variable + ")"
	}
}

// applyEnv sets each flag the command line left out from its variable.
func applyEnv(fs *flag.FlagSet, env envVars, stderr io.Writer) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	slices.Sort(names) // the same variable is reported first every time
	for _, name := range names {
		v, ok := os.LookupEnv(env[name])
		if given[name] || !ok {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			fmt.Fprintf(stderr, "canistry %s: %s=%q: invalid value for --%s: %v\n", fs.Name(), env[name], v, name, err)
			return errUsage
		}
	}
	return nil
}
