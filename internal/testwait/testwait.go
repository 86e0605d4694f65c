// Package testwait lets tests wait for a condition with a deadline instead
// of sleeping a fixed time and hoping the system got there: a test that
// polls returns as soon as the condition holds and fails with a message
// when it never does.
package testwait

import (
	"testing"
	"time"
)

// interval is how often a condition is polled; short, since the
// conditions are cheap reads (a counter, a query).
const interval = 10 * time.Millisecond

// Until polls cond until it holds or limit has passed, and reports whether
// it held.
func Until(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return cond()
		}
		time.Sleep(interval)
	}
	return true
}

// For fails the test when cond does not hold within limit; what says what
// was awaited.
func For(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(limit, cond) {
		t.Fatalf("%s: not within %s", what, limit)
	}
}
