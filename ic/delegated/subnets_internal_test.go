package delegated

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
)

// span is the range [from, to] of principal bytes.
func span(from, to string) certification.CanisterRange {
	return certification.CanisterRange{From: principal.Principal{Raw: []byte(from)}, To: principal.Principal{Raw: []byte(to)}}
}

func subnet(id string, fetched time.Time, ranges ...certification.CanisterRange) *subnetKeys {
	return &subnetKeys{id: principal.Principal{Raw: []byte(id)}, ranges: ranges, fetched: fetched}
}

// TestFindByRanges: a canister's subnet is the cached one whose ranges
// hold its id, compared bytewise with both bounds included; an id in no
// range, or in the ranges of a subnet read too long ago, needs a read.
func TestFindByRanges(t *testing.T) {
	now := time.Now()
	n := &nodeKeys{maxAge: func() time.Duration { return time.Minute }}
	a := subnet("A", now, span("\x00\x10", "\x00\x1f"), span("\x00\x30", "\x00\x3f"))
	b := subnet("B", now.Add(-time.Hour), span("\x00\x20", "\x00\x2f"))
	n.store(a, principal.Principal{Raw: []byte("\x00\x10")})
	n.store(b, principal.Principal{Raw: []byte("\x00\x20")})
	for _, c := range []struct {
		id    string
		want  *subnetKeys
		fresh bool
	}{
		{"\x00\x10", a, true}, {"\x00\x1f", a, true}, {"\x00\x1f\x01", nil, false}, {"\x00\x35\x01\x01", a, true},
		{"\x00\x20", b, false}, {"\x00\x0f\xff", nil, false}, {"\x00\x40", nil, false}, {"", nil, false},
	} {
		got, fresh := n.find(principal.Principal{Raw: []byte(c.id)})
		if got != c.want || fresh != c.fresh {
			t.Errorf("find(% x) = %v fresh %v, want %v fresh %v", c.id, got, fresh, c.want, c.fresh)
		}
	}
}

// TestStoreDropsMovedRanges: when a read for a canister certifies it on
// another subnet than the cached one, the cached one, whose ranges are
// out of date, is dropped; at most maxSubnets are kept, the oldest going.
func TestStoreDropsMovedRanges(t *testing.T) {
	now := time.Now()
	n := &nodeKeys{maxAge: func() time.Duration { return time.Hour }}
	moved := principal.Principal{Raw: []byte("\x00\x15")}
	n.store(subnet("A", now, span("\x00\x10", "\x00\x1f")), moved)
	b := subnet("B", now, span("\x00\x15", "\x00\x15"))
	n.store(b, moved)
	if got, _ := n.find(principal.Principal{Raw: []byte("\x00\x11")}); got != nil {
		t.Errorf("the subnet the canister moved from is still cached: %v", got)
	}
	if got, _ := n.find(moved); got != b {
		t.Errorf("the moved canister's subnet is %v, want B", got)
	}
	for i := range maxSubnets {
		id := string([]byte{1, byte(i)})
		n.store(subnet(id, now.Add(time.Duration(i+1)*time.Second), span(id, id)), principal.Principal{Raw: []byte(id)})
	}
	if len(n.subnets) != maxSubnets {
		t.Fatalf("%d subnets cached, want at most %d", len(n.subnets), maxSubnets)
	}
	if _, ok := n.subnets["B"]; ok {
		t.Error("the oldest subnet was kept past the bound")
	}
}
