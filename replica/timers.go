package replica

import (
	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/state"
)

// Global timers: when the replica's time passes a canister's timer, the
// timer is deactivated and canister_global_timer runs as a system task (a
// call context nobody waits for; it may make calls).

// trackTimersLocked notes which touched canisters have a timer set, so the
// scheduler need not look at every canister each tick. Callers hold r.mu.
func (r *Replica) trackTimersLocked(touched map[string]*canister) {
	for key, c := range touched {
		if c.rec.GlobalTimer != 0 && c.rec.ModuleHash != nil {
			r.timers[key] = c
		} else {
			delete(r.timers, key)
		}
	}
}

// timersDue reports whether some timer has come due. Only the scheduler
// goroutine writes timers, so reading them here needs no canister lock.
func (r *Replica) timersDue() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.lastTime
	for _, c := range r.timers {
		if c.rec.GlobalTimer <= now {
			return true
		}
	}
	return false
}

// fireTimers runs canister_global_timer of every canister whose timer is due.
func (rd *round) fireTimers() {
	rd.r.mu.Lock()
	var due []*canister
	for key, c := range rd.r.timers {
		if c.rec.GlobalTimer <= rd.time {
			due = append(due, c)
			delete(rd.r.timers, key)
		}
	}
	rd.r.mu.Unlock()
	for _, c := range due {
		rd.fireTimer(c)
	}
}

func (rd *round) fireTimer(c *canister) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.touch(c)
	c.rec.GlobalTimer = 0 // deactivated before it runs, as the spec says
	if runnable(c) != nil || rd.r.outOfCycles(c, cycles.Amount{}) != nil {
		return // a stopped, empty or frozen canister's timer just lapses
	}
	if _, err := c.instance(rd.r); err != nil || !c.module.Has.GlobalTimer {
		return
	}
	rd.chargeStorage(c)
	ctx := openContext(c, state.Origin{Kind: originSystem}, nil, cycles.Amount{})
	rd.run(c, ctx, &exec.Invocation{Kind: exec.KindGlobalTimer}, nil)
}
