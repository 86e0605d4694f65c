package main

import (
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const roleHelp = `Usage: canistry role grant|revoke ROLE PRINCIPAL [flags]

Grants or revokes a registry role (operators only; the last operator
cannot be revoked). ROLE is operator, developer or auditor.

Flags:
`

func runRole(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("role", roleHelp, stderr)
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 3 || (s.args[0] != "grant" && s.args[0] != "revoke") {
		return s.usageError(stderr, "role grant|revoke ROLE PRINCIPAL")
	}
	role, ok := parseRole(s.args[1])
	if !ok {
		fmt.Fprintf(stderr, "canistry role: unknown role %q: want operator, developer or auditor\n", s.args[1])
		return errUsage
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	who := s.args[2]
	if s.args[0] == "grant" {
		_, err = c.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: role, Principal: who}))
	} else {
		_, err = c.publisher.RevokeRole(ctx, connect.NewRequest(&platformv1.RevokeRoleRequest{Role: role, Principal: who}))
	}
	if err != nil {
		return gatewayError(s.args[0]+" "+s.args[1], err)
	}
	fmt.Fprintf(stdout, "%s %s %s\n", s.args[0], s.args[1], who)
	return nil
}

func parseRole(s string) (platformv1.Role, bool) {
	v, ok := platformv1.Role_value["ROLE_"+strings.ToUpper(s)]
	if !ok || v == 0 {
		return 0, false
	}
	return platformv1.Role(v), true
}

const whoamiHelp = `Usage: canistry whoami [flags]

Prints the principal of --identity (the default identity is made on first
use). Needs no gateway.

Flags:
`

func runWhoami(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("whoami", whoamiHelp, stderr)
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 0 {
		return s.usageError(stderr, "whoami")
	}
	id, err := s.identity(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, id.Sender())
	return nil
}
