package personal

import (
	"slices"
	"testing"
)

// TestVersionsInReleaseOrder: dev installs and prints them in this order.
func TestVersionsInReleaseOrder(t *testing.T) {
	vs := Versions()
	if len(vs) == 0 || vs[0] != "1.0.0" {
		t.Fatalf("Versions() = %v; want 1.0.0 first", vs)
	}
	if !slices.IsSorted(vs) {
		t.Errorf("Versions() = %v; not in release order", vs)
	}
	if p := Protocol(vs[len(vs)-1]); p != "personal/"+vs[len(vs)-1] {
		t.Errorf("Protocol = %q", p)
	}
}
