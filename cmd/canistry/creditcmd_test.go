package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseCyclesAndSpans(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "5000000": 5_000_000, "250B": 250_000_000_000, "5T": 5_000_000_000_000, "3K": 3000, "7M": 7_000_000, "1_000": 1000} {
		if got, err := parseCycles(in); err != nil || got != want {
			t.Errorf("parseCycles(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "T", "-1", "1.5T", "5X", "20000000T"} {
		if got, err := parseCycles(in); err == nil {
			t.Errorf("parseCycles(%q) = %d; want an error", in, got)
		}
	}
	for in, want := range map[string]uint64{"30d": 2_592_000, "12h": 43_200, "90s": 90, "1h30m": 5400} {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1h", "soon", "1.5d"} {
		if got, err := parseSpan(in); err == nil {
			t.Errorf("parseSpan(%q) = %d; want an error", in, got)
		}
	}
	p, err := parsePolicy("below_runtime", "30d", "60d", "5T")
	if err != nil || p.GetBelowRuntime().GetThresholdSeconds() != 2_592_000 || p.GetBelowRuntime().GetFundSeconds() != 5_184_000 || p.GetMaxTopUp() != 5e12 {
		t.Errorf("parsePolicy below_runtime: %v, %v", p, err)
	}
	p, err = parsePolicy("below_balance", "1T", "2T", "500B")
	if err != nil || p.GetBelowBalance().GetThreshold() != 1e12 || p.GetBelowBalance().GetFundTo() != 2e12 || p.GetMaxTopUp() != 5e11 {
		t.Errorf("parsePolicy below_balance: %v, %v", p, err)
	}
}

func TestCreditAndCyclesUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for name, tc := range map[string]struct {
		args     []string
		code     int
		contains string
	}{
		"credit help":          {[]string{"credit", "--help"}, 0, "cannot\ncarry cycles"},
		"credit grant no args": {[]string{"credit", "grant"}, 2, "credit [grant OWNER AMOUNT | deposit AMOUNT --wallet ID]"},
		"credit grant bad amt": {[]string{"credit", "grant", "aaaaa-aa", "lots"}, 2, `"lots" is not an amount of cycles`},
		"credit deposit":       {[]string{"credit", "deposit", "5T"}, 2, "--wallet is required"},
		"credit deposit zero":  {[]string{"credit", "deposit", "0", "--wallet", "aaaaa-aa"}, 2, "positive number of cycles"},
		"credit deposit bad":   {[]string{"credit", "deposit", "5T", "--wallet", "not-a-principal"}, 2, "wallet"},
		"cycles bare":          {[]string{"cycles"}, 2, "status ID"},
		"cycles status no id":  {[]string{"cycles", "status"}, 2, "cycles status ID"},
		"cycles bad strategy":  {[]string{"cycles", "policy", "personal", "always", "1", "2"}, 2, `unknown strategy "always"`},
		"cycles bad span":      {[]string{"cycles", "policy", "personal", "below_runtime", "soon", "60d"}, 2, "THRESHOLD"},
		"cycles bad max":       {[]string{"cycles", "policy", "personal", "below_balance", "1T", "2T", "--max-top-up", "x"}, 2, "--max-top-up"},
		"cycles low max":       {[]string{"cycles", "low", "--max-top-up", "1T"}, 2, "--max-top-up applies to setting a policy only"},
		"credit --owner":       {[]string{"credit", "--owner", "2vxsx-fae"}, 2, "apply to credit deposit only"},
		"credit grant wallet":  {[]string{"credit", "grant", "2vxsx-fae", "5T", "--wallet", "aaaaa-aa"}, 2, "apply to credit deposit only"},
		"credit grant owner":   {[]string{"credit", "grant", "not-a-principal", "5T"}, 2, `OWNER "not-a-principal" is not a principal`},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tc.code || !strings.Contains(out, tc.contains) {
				t.Errorf("canistry %v = exit %d, output:\n%s\nwant exit %d containing %q", tc.args, code, out, tc.code, tc.contains)
			}
		})
	}
}
