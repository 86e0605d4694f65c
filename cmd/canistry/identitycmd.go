package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aviate-labs/agent-go/identity"
)

const identityHelp = `Usage: canistry identity new --out FILE

Makes a new Ed25519 identity, writes it as PEM (as dfx does) to FILE,
readable by the owner only, and prints its principal. An existing FILE is
never overwritten.

Flags:
`

func runIdentity(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("identity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write the PEM identity to (required)")
	fs.Usage = func() {
		fmt.Fprint(stderr, identityHelp)
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "new" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return nil
		}
		fs.Usage()
		return errUsage
	}
	if err := parseFlags(fs, nil, args[1:], false, stderr); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "canistry identity new: --out is required")
		return errUsage
	}
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		return err
	}
	pem, err := id.ToPEM()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; not overwriting an identity", *out)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(pem); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, id.Sender())
	return nil
}
