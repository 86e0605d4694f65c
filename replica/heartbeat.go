package replica

import (
	"time"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/state"
)

// Heartbeats: every round runs canister_heartbeat of each running canister
// whose module exports it, as a system task (a call context nobody waits
// for; it may make calls). While such canisters exist the scheduler starts
// a round at least every heartbeatInterval — about the IC's block rate —
// rather than every tick, so an idle replica does not commit a hundred
// rounds a second.
const heartbeatInterval = 500 * time.Millisecond

// trackHeartbeatsLocked notes which touched canisters export a heartbeat.
// Callers hold r.mu.
func (r *Replica) trackHeartbeatsLocked(touched map[string]*canister) {
	for key, c := range touched {
		if c.rec.Heartbeat && c.rec.ModuleHash != nil {
			r.heartbeats[key] = c
		} else {
			delete(r.heartbeats, key)
		}
	}
}

// heartbeatDue reports whether an idle scheduler should start a round for
// the heartbeats.
func (r *Replica) heartbeatDue() bool {
	r.mu.Lock()
	n := len(r.heartbeats)
	r.mu.Unlock()
	return n > 0 && time.Since(r.lastHeartbeat) >= heartbeatInterval
}

// beat runs the round's heartbeats.
func (rd *round) beat() {
	rd.r.mu.Lock()
	beating := make([]*canister, 0, len(rd.r.heartbeats))
	for _, c := range rd.r.heartbeats {
		beating = append(beating, c)
	}
	rd.r.mu.Unlock()
	if len(beating) == 0 {
		return
	}
	rd.r.lastHeartbeat = time.Now()
	for _, c := range beating {
		rd.heartbeat(c)
	}
}

func (rd *round) heartbeat(c *canister) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if runnable(c) != nil || rd.r.outOfCycles(c, cycles.Amount{}) != nil {
		return // only a running canister that can pay beats
	}
	if _, err := c.instance(rd.r); err != nil || !c.module.Has.Heartbeat {
		return
	}
	rd.touch(c)
	rd.chargeStorage(c)
	ctx := openContext(c, state.Origin{Kind: originSystem}, nil, cycles.Amount{})
	rd.run(c, ctx, &exec.Invocation{Kind: exec.KindHeartbeat}, nil)
}
