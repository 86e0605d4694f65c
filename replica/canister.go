package replica

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/state"
)

// canister is one canister in memory: its durable record and, once it has
// been used, its compiled module and live wasm instance.
type canister struct {
	// mu serialises executions on the instance: queries, inspect_message and
	// the scheduler's updates never run on one instance at once.
	mu     sync.Mutex
	rec    *state.Canister
	module *exec.Module
	inst   *exec.Instance
	// chunks is the chunk store by hash, loaded on first use (chunks.go).
	chunks map[string][]byte
}

func (c *canister) id() principal.Principal { return principal.Principal{Raw: c.rec.ID} }

// IsController reports whether p controls the canister (mgmt.Target).
func (c *canister) IsController(p principal.Principal) bool {
	for _, ctl := range c.rec.Controllers {
		if bytes.Equal(ctl, p.Raw) {
			return true
		}
	}
	return false
}

func (c *canister) empty() bool { return c.rec.ModuleHash == nil }

// instance returns the live instance, restoring it from the store the first
// time it is needed after a start. Callers hold c.mu.
func (c *canister) instance(r *Replica) (*exec.Instance, error) {
	if c.inst != nil {
		r.live.touch(c, time.Now())
		return c.inst, nil
	}
	if c.empty() {
		return nil, fmt.Errorf("canister %s has no module", c.id())
	}
	if c.module == nil {
		c.module = r.engine.Cached(c.rec.ModuleHash)
	}
	if c.module == nil {
		wasm, err := r.store.Module(c.rec.ModuleHash)
		if err != nil {
			return nil, err
		}
		if c.module, err = r.engine.Compile(wasm); err != nil {
			return nil, fmt.Errorf("recompile module of %s: %w", c.id(), err)
		}
	}
	// The heap as its stored pages: restoring writes only those.
	heap, err := r.store.MemoryPages(c.rec.ID, false, c.rec.HeapSize)
	if err != nil {
		return nil, err
	}
	stable, err := r.store.Memory(c.rec.ID, true, c.rec.StableSize)
	if err != nil {
		return nil, err
	}
	inst, err := r.engine.Instantiate(c.module, &exec.State{HeapPages: heap, HeapSize: c.rec.HeapSize, Stable: stable, Globals: globalsFromState(c.rec.Globals), Handover: true})
	if err != nil {
		return nil, fmt.Errorf("restore instance of %s: %w", c.id(), err)
	}
	c.inst = inst
	r.live.touch(c, time.Now())
	return inst, nil
}

func (c *canister) close() {
	if c.inst != nil {
		c.inst.Close()
		c.inst = nil
	}
}

// canisterID makes the principal of the canister with the given index: the
// index as 8 big-endian bytes followed by 0x01 0x01 (an opaque id).
func canisterID(index uint64) principal.Principal {
	raw := make([]byte, 10)
	binary.BigEndian.PutUint64(raw, index)
	raw[8], raw[9] = 1, 1
	return principal.Principal{Raw: raw}
}

// canisterIndex is the inverse of canisterID; ok is false for other principals.
func canisterIndex(p principal.Principal) (uint64, bool) {
	if len(p.Raw) != 10 || p.Raw[8] != 1 || p.Raw[9] != 1 {
		return 0, false
	}
	return binary.BigEndian.Uint64(p.Raw), true
}

// firstCanisterIndex keeps our ids clear of the well-known mainnet canisters
// (the ledger, Internet Identity...) that live at small indices.
const firstCanisterIndex = 1 << 20

func (r *Replica) loadCanisters() error {
	recs, err := r.store.Canisters()
	if err != nil {
		return fmt.Errorf("load canisters: %w", err)
	}
	r.nextIndex = firstCanisterIndex
	for _, rec := range recs {
		c := &canister{rec: rec}
		r.canisters[string(rec.ID)] = c
		if idx, ok := canisterIndex(c.id()); ok && idx >= r.nextIndex {
			r.nextIndex = idx + 1
		}
		r.tree = setCanisterTree(r.tree, rec)
		if rec.GlobalTimer != 0 && rec.ModuleHash != nil {
			r.timers[string(rec.ID)] = c
		}
		if rec.Heartbeat && rec.ModuleHash != nil {
			r.heartbeats[string(rec.ID)] = c
		}
		for _, cb := range rec.Callbacks {
			if cb.Deadline != 0 {
				r.bounded[string(rec.ID)] = c
			}
		}
	}
	r.log.Info("state loaded", "canisters", len(recs))
	return nil
}

// lookup finds a canister; nil when it does not exist.
func (r *Replica) lookup(id principal.Principal) *canister {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.canisters[string(id.Raw)]
}

func globalsFromState(gs []state.Global) []exec.Global {
	out := make([]exec.Global, len(gs))
	for i, g := range gs {
		out[i] = exec.Global{Type: exec.GlobalType(g.Type), Bits: g.Bits}
	}
	return out
}

func globalsToState(gs []exec.Global) []state.Global {
	out := make([]state.Global, len(gs))
	for i, g := range gs {
		out[i] = state.Global{Type: uint8(g.Type), Bits: g.Bits}
	}
	return out
}
