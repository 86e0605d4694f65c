package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadEnvironmentIsAUsageError: every CANISTRY_* fallback goes through
// its flag's parser, so a bad value is exit 2 with a line naming the
// variable, never a silent default.
func TestBadEnvironmentIsAUsageError(t *testing.T) {
	tests := []struct {
		variable, value string
		args            []string
	}{
		{"CANISTRY_NEGOTIATION_TTL", "soon", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_NEGOTIATION_TTL", "-1s", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_FETCH_ROOT_KEY", "maybe", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_BUILTIN_ADAPTERS", "personal1,personal9", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_REPLICA_URL", "127.0.0.1:4943", []string{"gateway"}},
		{"CANISTRY_REPLICA_URL", "ftp://127.0.0.1", []string{"gateway"}},
		{"CANISTRY_LISTEN", "8080", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_LOG_LEVEL", "loud", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_OTLP_ENDPOINT", "collector:4318", []string{"gateway", "--replica", "http://127.0.0.1:1"}},
		{"CANISTRY_LISTEN", "localhost", []string{"dev"}},
		{"CANISTRY_REPLICA_LISTEN", "127.0.0.1:99999", []string{"dev"}},
		{"CANISTRY_LOG_LEVEL", "", []string{"dev"}},
		{"CANISTRY_OTLP_ENDPOINT", "udp://127.0.0.1:4318", []string{"dev"}},
		{"CANISTRY_LISTEN", "127.0.0.1", []string{"replica"}},
		{"CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE", "-5", []string{"replica"}},
		{"CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE", "lots", []string{"replica"}},
		{"CANISTRY_LOG_LEVEL", "verbose", []string{"replica"}},
		{"CANISTRY_EVICT_IDLE_AFTER", "-1s", []string{"replica"}},
		{"CANISTRY_EVICT_IDLE_AFTER", "a while", []string{"replica"}},
		{"CANISTRY_MAX_LIVE_INSTANCES", "-3", []string{"replica"}},
		{"CANISTRY_STATE_DIR", "", []string{"replica"}},
	}
	// Should a check regress, dev and replica fail at once on a state dir
	// that is a file instead of serving until the test times out.
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.args[0]+" "+tc.variable+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.variable, tc.value)
			args := tc.args
			if (args[0] == "dev" || args[0] == "replica") && tc.variable != "CANISTRY_STATE_DIR" {
				args = append(args, "--state-dir", notADir)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.variable) {
				t.Errorf("canistry %v with %s=%q = exit %d, stderr:\n%s\nwant exit 2 naming %s", tc.args, tc.variable, tc.value, code, stderr.String(), tc.variable)
			}
		})
	}
}

// TestEnvironmentFallbacks: a good value is used, and the command line
// wins over it (a bad value there is then never looked at).
func TestEnvironmentFallbacks(t *testing.T) {
	t.Setenv("CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE", "1000")
	t.Setenv("CANISTRY_LISTEN", "127.0.0.1:0")
	t.Setenv("CANISTRY_LOG_LEVEL", "loud")
	var stderr bytes.Buffer
	f, err := parseReplicaFlags([]string{"--log-level", "debug"}, &stderr)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, stderr.String())
	}
	if f.maxInstructions != 1000 || f.listen != "127.0.0.1:0" || f.logLevel.String() != "DEBUG" {
		t.Errorf("flags = %+v, want the environment's instructions and listen, the command line's log level", f)
	}
	if code := run([]string{"replica", "--help"}, &stderr, &stderr); code != 0 {
		t.Errorf("--help with a bad CANISTRY_LOG_LEVEL = exit %d, want 0 (help never fails)", code)
	}
	if !strings.Contains(stderr.String(), "(env CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE)") {
		t.Errorf("--help does not name the variables:\n%s", stderr.String())
	}
}
