package integration

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Some tests need something of the machine: a Docker engine, node_modules,
// git. Without it they skip, and TestMain says so in one line per reason at
// the end of the run, so that a passing run that skipped them does not look
// like one that ran them. (go test shows that line with -v, when the package
// fails, and when run in the package's directory; a plain `go test ./...`
// prints only "ok" for a passing package, whence the switch below.)

// dockerEnv is CANISTRY_TEST_DOCKER: "required" makes a missing Docker engine
// a failure instead of a skip (.ci/run sets it); "" or "auto" skips.
const dockerEnv = "CANISTRY_TEST_DOCKER"

// dockerRequired reads CANISTRY_TEST_DOCKER; a value it does not know is an
// error, not a silent "auto".
func dockerRequired() (bool, error) {
	switch v := os.Getenv(dockerEnv); v {
	case "", "auto":
		return false, nil
	case "required":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want required or auto", dockerEnv, v)
	}
}

// envSkips collects the tests skipped for lack of something, by reason.
var envSkips skipLog

type skipLog struct {
	mu       sync.Mutex
	byReason map[string][]string
}

// skipForEnv skips t because the machine lacks what reason says, and
// records it for the summary.
func skipForEnv(t testing.TB, reason string) {
	t.Helper()
	envSkips.add(reason, t.Name())
	t.Skip(reason)
}

func (l *skipLog) add(reason, test string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byReason == nil {
		l.byReason = map[string][]string{}
	}
	l.byReason[reason] = append(l.byReason[reason], test)
}

// report writes one line per reason: the tests it skipped and why.
func (l *skipLog) report(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	reasons := make([]string, 0, len(l.byReason))
	for r := range l.byReason {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "integration: skipped %s: %s\n", strings.Join(l.byReason[r], ", "), r)
	}
}
