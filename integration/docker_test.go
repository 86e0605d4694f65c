package integration

import "testing"

// TestReplicaInDocker runs the counter scenario against the replica in a
// FROM scratch container: the static binary, the image and its defaults
// (non-root user, /state) must make a replica that unmodified agents accept.
func TestReplicaInDocker(t *testing.T) {
	r := startReplicaInDocker(t)
	counterScenario(t, r.URL)
}
