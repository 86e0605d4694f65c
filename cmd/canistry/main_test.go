package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestExitCodesAndUsage(t *testing.T) {
	t.Setenv("CANISTRY_REPLICA_URL", "")
	tests := map[string]struct {
		args     []string
		code     int
		contains string
	}{
		"no command":            {nil, 2, "Usage: canistry"},
		"help":                  {[]string{"--help"}, 0, "gateway"},
		"unknown command":       {[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		"gateway help":          {[]string{"gateway", "--help"}, 0, "SHA256SUMS"},
		"gateway no replica":    {[]string{"gateway"}, 2, "--replica (or CANISTRY_REPLICA_URL) is required"},
		"gateway bad ttl":       {[]string{"gateway", "--negotiation-ttl", "soon"}, 2, "invalid value"},
		"gateway zero ttl":      {[]string{"gateway", "--replica", "http://127.0.0.1:1", "--negotiation-ttl", "0s"}, 2, "above zero"},
		"gateway bad url":       {[]string{"gateway", "--replica", "127.0.0.1:4943"}, 2, "invalid value"},
		"gateway bad adapter":   {[]string{"gateway", "--replica", "http://127.0.0.1:1", "--builtin-adapters", "personal9"}, 2, `no built-in adapter "personal9"`},
		"dev bad listen":        {[]string{"dev", "--listen", "8080"}, 2, "want host:port"},
		"gateway negative rate": {[]string{"gateway", "--replica", "http://127.0.0.1:1", "--user-rate", "-1"}, 2, "want zero or more"},
		"gateway zero slots":    {[]string{"gateway", "--replica", "http://127.0.0.1:1", "--max-concurrent", "0"}, 2, "above zero"},
		"replica bad level":     {[]string{"replica", "--log-level", "loud"}, 2, "invalid value"},
		"replica empty state":   {[]string{"replica", "--state-dir", ""}, 2, "must not be empty"},
		"dev help":              {[]string{"dev", "--help"}, 0, "-state-dir"},
		"dev extra arg":         {[]string{"dev", "now"}, 2, `unexpected argument "now"`},
		"canister no sub":       {[]string{"canister"}, 2, "create --protocol"},
		"canister unknown sub":  {[]string{"canister", "delete"}, 2, `unknown subcommand "delete"`},
		"create no protocol":    {[]string{"canister", "create"}, 2, "canister create --protocol"},
		"upgrade no version":    {[]string{"canister", "upgrade", "aaaaa-aa"}, 2, "upgrade ID --to"},
		"create without dev":    {[]string{"canister", "create", "--protocol", "1.0.0", "--state-dir", "/nonexistent"}, 1, "run 'canistry dev --state-dir /nonexistent' first"},
		"adapter unknown":       {[]string{"adapter", "personal9"}, 2, "Usage: canistry adapter"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tc.code || !strings.Contains(out, tc.contains) {
				t.Errorf("canistry %v = exit %d, output:\n%s\nwant exit %d containing %q", tc.args, code, out, tc.code, tc.contains)
			}
		})
	}
	t.Run("a limit's environment fallback is validated", func(t *testing.T) {
		t.Setenv("CANISTRY_MAX_MESSAGE_BYTES", "3MB")
		var out bytes.Buffer
		code := run([]string{"gateway", "--replica", "http://127.0.0.1:1"}, &out, &out)
		if code != 2 || !strings.Contains(out.String(), "CANISTRY_MAX_MESSAGE_BYTES") {
			t.Errorf("exit %d:\n%s\nwant 2 naming CANISTRY_MAX_MESSAGE_BYTES", code, out.String())
		}
	})
	var stderr bytes.Buffer
	run([]string{"--help"}, &stderr, &stderr)
	if strings.Contains(stderr.String(), "adapter") {
		t.Errorf("usage lists the hidden adapter command:\n%s", stderr.String())
	}
}
