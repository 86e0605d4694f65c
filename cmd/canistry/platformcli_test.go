package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlatformCommandsUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for name, tc := range map[string]struct {
		args     []string
		code     int
		contains string
	}{
		"app no sub":             {[]string{"app"}, 2, "developers add APP PRINCIPAL"},
		"app unknown sub":        {[]string{"app", "rename"}, 2, `unknown subcommand "rename"`},
		"app create no name":     {[]string{"app", "create", "notes"}, 2, "app create APP --name N"},
		"app help":               {[]string{"app", "--help"}, 0, "CANISTRY_GATEWAY"},
		"release upload no P":    {[]string{"release", "upload", "notes", "1.0.0", "x.wasm"}, 2, "--protocol P"},
		"release reject no why":  {[]string{"release", "reject", "notes", "1.0.0"}, 2, "--reason R"},
		"release bad flag":       {[]string{"release", "list", "notes", "--frob"}, 2, "flag provided but not defined"},
		"install no app":         {[]string{"install"}, 2, "install APP [--version V]"},
		"upgrade no to":          {[]string{"upgrade", "aaaaa-aa"}, 2, "upgrade ID --to V"},
		"upgrade help":           {[]string{"upgrade", "--help"}, 0, "rolls back"},
		"role bad role":          {[]string{"role", "grant", "king", "aaaaa-aa"}, 2, `unknown role "king"`},
		"canisters extra":        {[]string{"canisters", "now"}, 2, "Usage: canistry canisters"},
		"bad registry flag":      {[]string{"canisters", "--registry", "nope"}, 2, "not a textual principal"},
		"missing wasm":           {[]string{"release", "upload", "notes", "1.0.0", "/nonexistent.wasm", "--protocol", "p/1.0.0"}, 1, "no such file"},
		"gateway bad registry":   {[]string{"gateway", "--replica", "http://127.0.0.1:1", "--registry", "x"}, 2, "not a textual principal"},
		"no dev, no gateway":     {[]string{"app", "list", "--state-dir", "/nonexistent"}, 1, "no --gateway and no dev environment in /nonexistent"},
		"rollout no sub":         {[]string{"rollout"}, 2, "start APP VERSION --canary PERCENT"},
		"rollout start no batch": {[]string{"rollout", "start", "notes", "1.0.1", "--max-failures", "1"}, 2, "--batch N --max-failures N|P%"},
		"rollout bad failures":   {[]string{"rollout", "start", "notes", "1.0.1", "--batch", "5", "--max-failures", "120%"}, 2, "max failures \"120%\""},
		"rollout canary 101":     {[]string{"rollout", "start", "notes", "1.0.1", "--batch", "5", "--max-failures", "1", "--canary", "101"}, 2, "--canary is 0 to 100"},
		"rollout bad id":         {[]string{"rollout", "status", "seven"}, 2, "not a rollout id"},
		"rollout help":           {[]string{"rollout", "--help"}, 0, "CANISTRY_GATEWAY"},
		"policy bad":             {[]string{"canister", "policy", "aaaaa-aa", "sometimes"}, 2, "not manual, patch, minor or channel:NAME"},
		"policy bad channel":     {[]string{"canister", "policy", "aaaaa-aa", "channel:Beta"}, 2, "may hold only a-z"},
		"policy no policy":       {[]string{"canister", "policy", "aaaaa-aa"}, 2, "canister policy ID manual|patch|minor|channel:NAME"},
		"channels no version":    {[]string{"release", "channels", "notes"}, 2, "release channels APP VERSION [NAME...]"},
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
	t.Run("a bad CANISTRY_GATEWAY is a usage error", func(t *testing.T) {
		t.Setenv("CANISTRY_GATEWAY", "localhost:8080")
		var out bytes.Buffer
		if code := run([]string{"app", "list"}, &out, &out); code != 2 || !strings.Contains(out.String(), "CANISTRY_GATEWAY") {
			t.Errorf("exit %d:\n%s", code, out.String())
		}
	})
}

func TestWhoamiMakesTheDefaultIdentityOnce(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	var first, second, stderr bytes.Buffer
	if code := run([]string{"whoami"}, &first, &stderr); code != 0 {
		t.Fatalf("whoami: exit %d: %s", code, stderr.String())
	}
	path := filepath.Join(cfg, "canistry", "identity.pem")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the default identity %s: %v %v", path, fi, err)
	}
	if !strings.Contains(stderr.String(), "created the identity") {
		t.Errorf("first use does not say it made the identity: %s", stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"whoami"}, &second, &stderr); code != 0 || first.String() != second.String() || stderr.Len() != 0 {
		t.Errorf("second whoami: exit %d, %q (first %q), stderr %q", code, second.String(), first.String(), stderr.String())
	}
}

func TestPlatformEndpoints(t *testing.T) {
	dir := devDir(t.TempDir())
	if err := dir.writeInfo(&devInfo{Gateway: "http://127.0.0.1:8080", Registry: "rrkah-fqaaa-aaaaa-aaaaq-cai"}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		gateway, registry      string
		wantGateway, wantRegID string
	}{
		"the dev environment's":        {"", "", "http://127.0.0.1:8080", "rrkah-fqaaa-aaaaa-aaaaq-cai"},
		"dev's gateway named":          {"http://127.0.0.1:8080/", "", "http://127.0.0.1:8080", "rrkah-fqaaa-aaaaa-aaaaq-cai"},
		"another gateway":              {"https://gw.example", "", "https://gw.example", ""},
		"another gateway and registry": {"https://gw.example", "aaaaa-aa", "https://gw.example", "aaaaa-aa"},
	} {
		s := &subcommand{f: &platformFlags{gateway: httpURL(tc.gateway), registry: principalFlag(tc.registry), stateDir: string(dir)}}
		gw, reg, err := s.endpoints()
		if err != nil || gw != tc.wantGateway || reg != tc.wantRegID {
			t.Errorf("%s: %q %q %v; want %q %q", name, gw, reg, err, tc.wantGateway, tc.wantRegID)
		}
	}
}
