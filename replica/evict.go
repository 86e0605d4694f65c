package replica

import (
	"sort"
	"sync"
	"time"
)

// Eviction keeps idle canisters from costing memory beyond what they store:
// a live instance holds its wasmtime store (the touched pages of its linear
// memory) plus the committed copies of heap (its non-zero pages resident)
// and stable memory, while its durable state is already on disk after every
// round. Evicting closes the instance; the next use restores it from the
// store exactly as after a restart (canister.instance).

const (
	// DefaultEvictIdleAfter is how long an instance stays live unused.
	DefaultEvictIdleAfter = 60 * time.Second
	// maxEvictEvery bounds how often the scheduler scans the live set.
	maxEvictEvery = time.Second
	// maxEvictPerScan bounds the instances one scan closes, so that a
	// fleet going idle at once does not hold back a round; a full scan is
	// followed by another at the next tick.
	maxEvictPerScan = 64
)

// liveSet is the canisters that have a live instance, with when each was
// last used. Its own lock is a leaf: it is taken under c.mu (instance) and
// never while waiting for another lock.
type liveSet struct {
	mu   sync.Mutex
	used map[*canister]time.Time
}

func (s *liveSet) touch(c *canister, now time.Time) {
	s.mu.Lock()
	if s.used == nil {
		s.used = make(map[*canister]time.Time)
	}
	s.used[c] = now
	s.mu.Unlock()
}

func (s *liveSet) remove(c *canister) {
	s.mu.Lock()
	delete(s.used, c)
	s.mu.Unlock()
}

func (s *liveSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.used)
}

// candidate is a live canister and when it was last used.
type candidate struct {
	c    *canister
	used time.Time
}

// candidates are the canisters to evict at now, least recently used first:
// those idle for longer than idle (idle > 0), then enough of the rest to
// bring the live set down to max (max > 0).
func (s *liveSet) candidates(now time.Time, idle time.Duration, max int) []candidate {
	s.mu.Lock()
	all := make([]candidate, 0, len(s.used))
	for c, t := range s.used {
		all = append(all, candidate{c, t})
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].used.Before(all[j].used) })
	n := 0
	for n < len(all) && idle > 0 && now.Sub(all[n].used) > idle {
		n++
	}
	if max > 0 && len(all)-n > max {
		n = len(all) - max
	}
	return all[:n]
}

// LiveInstances is how many canisters have a live wasm instance.
func (r *Replica) LiveInstances() int { return r.live.len() }

// Evictions is how many instances eviction has closed since Open.
func (r *Replica) Evictions() uint64 { return r.evictions.Load() }

// evictIdle closes the instances that are idle for too long or beyond the
// cap, at most maxEvictPerScan of them; more reports that some were left.
// It runs on the scheduler goroutine between rounds, so every committed
// execution is already in the store and no round is using an instance.
func (r *Replica) evictIdle(now time.Time) (more bool) {
	if r.failure() != nil {
		return false // the store misses what the instances hold: keep them
	}
	cands := r.live.candidates(now, r.cfg.EvictIdleAfter, r.cfg.MaxLiveInstances)
	if len(cands) > maxEvictPerScan {
		cands, more = cands[:maxEvictPerScan], true
	}
	for _, cd := range cands {
		r.evict(cd)
	}
	return more
}

// evict closes one instance unless it is in use: a query holds c.mu (we do
// not wait for it), it was used again since the scan, or it has open call
// contexts (their callbacks run on the instance's heap in a later round;
// the state is on disk, but keeping it live avoids a restore per reply).
func (r *Replica) evict(cd candidate) {
	c := cd.c
	if !c.mu.TryLock() {
		return
	}
	defer c.mu.Unlock()
	if c.inst == nil {
		r.live.remove(c) // closed by a delete, an uninstall or a failed rollback
		return
	}
	if !evictable(c) {
		return
	}
	r.live.mu.Lock()
	used, ok := r.live.used[c]
	r.live.mu.Unlock()
	if ok && used.After(cd.used) {
		return
	}
	c.close()
	r.live.remove(c)
	r.evictions.Add(1)
}

// evictable reports whether c's instance may be closed now. Callers hold c.mu.
func evictable(c *canister) bool {
	return c.inst != nil && len(c.rec.CallContexts) == 0
}

// evictDue reports whether the scheduler should scan the live set now.
func (r *Replica) evictDue(now time.Time) bool {
	if r.cfg.EvictIdleAfter <= 0 && r.cfg.MaxLiveInstances <= 0 {
		return false
	}
	every := maxEvictEvery
	if r.cfg.EvictIdleAfter > 0 && r.cfg.EvictIdleAfter/2 < every {
		every = r.cfg.EvictIdleAfter / 2
	}
	return now.Sub(r.lastEvict) >= every
}
