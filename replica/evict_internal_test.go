package replica

import (
	"testing"
	"time"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/state"
)

// idleCanister is a canister whose (empty) instance was last used an hour
// ago, with the given open call contexts.
func idleCanister(r *Replica, contexts []state.CallContext) *canister {
	c := &canister{rec: &state.Canister{CallContexts: contexts}, inst: &exec.Instance{}}
	r.live.touch(c, time.Now().Add(-time.Hour))
	return c
}

// An instance with an open call context stays live however long it idles;
// once the context is closed it is evicted.
func TestNoEvictionWithOpenCallContext(t *testing.T) {
	r := &Replica{cfg: Config{EvictIdleAfter: time.Second}}
	c := idleCanister(r, []state.CallContext{{ID: 1}})
	r.evictIdle(time.Now())
	if c.inst == nil || r.Evictions() != 0 || r.LiveInstances() != 1 {
		t.Fatalf("evicted with an open call context: inst=%v evictions=%d live=%d", c.inst, r.Evictions(), r.LiveInstances())
	}
	c.rec.CallContexts = nil
	r.evictIdle(time.Now())
	if c.inst != nil || r.Evictions() != 1 || r.LiveInstances() != 0 {
		t.Fatalf("idle instance not evicted: inst=%v evictions=%d live=%d", c.inst, r.Evictions(), r.LiveInstances())
	}
}

// An instance that is executing (its lock held, as by a query) is not
// evicted, and eviction does not wait for it.
func TestNoEvictionWhileExecuting(t *testing.T) {
	r := &Replica{cfg: Config{EvictIdleAfter: time.Second}}
	c := idleCanister(r, nil)
	c.mu.Lock()
	r.evictIdle(time.Now())
	c.mu.Unlock()
	if c.inst == nil || r.Evictions() != 0 {
		t.Fatalf("evicted while executing: inst=%v evictions=%d", c.inst, r.Evictions())
	}
}

// An instance used again after the scan picked it is kept.
func TestNoEvictionAfterRecentUse(t *testing.T) {
	r := &Replica{cfg: Config{EvictIdleAfter: time.Second}}
	c := idleCanister(r, nil)
	cands := r.live.candidates(time.Now(), time.Second, 0)
	if len(cands) != 1 {
		t.Fatalf("candidates = %d, want 1", len(cands))
	}
	r.live.touch(c, time.Now())
	r.evict(cands[0])
	if c.inst == nil {
		t.Fatal("evicted an instance used after the scan")
	}
}

// The cap evicts the least recently used beyond it, idle or not.
func TestCandidatesOverTheCapAreLeastRecentlyUsed(t *testing.T) {
	var s liveSet
	now := time.Now()
	cs := make([]*canister, 4)
	for i := range cs {
		cs[i] = &canister{}
		s.touch(cs[i], now.Add(time.Duration(i)*time.Millisecond))
	}
	got := s.candidates(now.Add(time.Second), time.Hour, 2)
	if len(got) != 2 || got[0].c != cs[0] || got[1].c != cs[1] {
		t.Fatalf("candidates over a cap of 2 = %v, want the two oldest", got)
	}
	if got := s.candidates(now.Add(time.Second), -1, 0); len(got) != 0 {
		t.Fatalf("candidates with eviction off = %d, want none", len(got))
	}
}

// One scan closes at most maxEvictPerScan instances and says more are left.
func TestEvictionScanIsBounded(t *testing.T) {
	r := &Replica{cfg: Config{EvictIdleAfter: time.Second}}
	for range maxEvictPerScan + 1 {
		idleCanister(r, nil)
	}
	if more := r.evictIdle(time.Now()); !more || r.LiveInstances() != 1 {
		t.Fatalf("first scan: more = %v, live = %d; want true, 1", more, r.LiveInstances())
	}
	if more := r.evictIdle(time.Now()); more || r.LiveInstances() != 0 {
		t.Fatalf("second scan: more = %v, live = %d; want false, 0", more, r.LiveInstances())
	}
}
