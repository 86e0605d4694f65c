package replica

import (
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/reject"
)

// Composite queries: a composite query method may call query methods (and
// composite queries) of other canisters; the calls are answered at once,
// the callbacks run on the caller's instance, and at the end every
// instance the evaluation touched is rolled back.
const (
	// maxQueryDepth is the IC's bound on a composite query's call graph depth.
	maxQueryDepth = 6
	// maxQueryGraphInstructions bounds the instructions of the whole call
	// graph, as the IC does.
	maxQueryGraphInstructions = 5_000_000_000
	// queryLockWait is how long a call waits for a callee busy with other
	// work (an update round, another query) before it is rejected as
	// transient: two composite queries calling each other's canisters in
	// opposite order must not wait on each other forever.
	queryLockWait = 2 * time.Second
)

// queryGraph is one composite query's evaluation.
type queryGraph struct {
	r    *Replica
	now  uint64
	left uint64 // instructions left for the whole graph
	// onPath are the canisters whose executions are in progress: a call to
	// one of them would run on an instance mid-evaluation.
	onPath map[string]bool
}

// evaluate runs method of c (locked, on the path) and the calls it makes
// until the call is answered. The caller rolls c's instance back.
func (g *queryGraph) evaluate(c *canister, inst *exec.Instance, inv *exec.Invocation, depth int) ([]byte, *reject.Error) {
	res := g.run(inst, inv)
	pending := res.Calls
	for {
		if ans, rej, done := answered(c, res); done {
			return ans, rej
		}
		if len(pending) == 0 {
			return nil, reject.FromCanister(c.id().String(), reject.CanisterDidNotReply, "Canister did not reply to the call")
		}
		call := pending[0]
		pending = pending[1:]
		reply, rej := g.call(c, call, depth+1)
		cb := invocationAt(g.r, c, exec.KindReplyCallback, "", principal.Principal{Raw: inv.Caller}, reply, g.now)
		cb.Callback, cb.InCompositeQuery = call.Reply, true
		if rej != nil {
			cb.Kind, cb.Callback, cb.Arg = exec.KindRejectCallback, call.Reject, nil
			cb.RejectCode, cb.RejectMessage = rej.Code, rej.Message
		}
		res = g.run(inst, cb)
		pending = append(pending, res.Calls...)
	}
}

// run executes one invocation within what is left of the graph's budget.
func (g *queryGraph) run(inst *exec.Instance, inv *exec.Invocation) *exec.Result {
	inv.Limit = min(g.left, g.r.engine.Limits().Query)
	if inv.Limit == 0 {
		inv.Limit = 1 // the budget is spent: the execution traps at once
	}
	res := inst.Run(inv)
	g.left -= min(g.left, res.Instructions)
	return res
}

// answered tells whether an execution answered the query, and how.
func answered(c *canister, res *exec.Result) ([]byte, *reject.Error, bool) {
	switch {
	case res.Trap != nil:
		return nil, canisterError(c, res.Trap), true
	case res.Replied:
		return res.Reply, nil, true
	case res.Reject != nil:
		return nil, reject.Explicit(*res.Reject), true
	}
	return nil, nil, false
}

// call answers one call of a composite query: the callee's query method
// runs (a composite one with its own calls) and is rolled back.
func (g *queryGraph) call(from *canister, call exec.Call, depth int) ([]byte, *reject.Error) {
	id := principal.Principal{Raw: call.Callee}
	switch {
	case depth > maxQueryDepth:
		return nil, reject.New(reject.CanisterRejectedMessage, "Composite query call graph depth exceeds the maximum of %d", maxQueryDepth)
	case isManagement(id):
		return nil, reject.New(reject.CanisterRejectedMessage, "Composite queries cannot call the management canister")
	case g.onPath[string(id.Raw)]:
		return nil, reject.New(reject.CanisterRejectedMessage,
			"Canister %s is already executing in this composite query; composite query calls cannot go back to it", id)
	}
	c := g.r.lookup(id)
	if c == nil {
		return nil, canisterNotFound(id)
	}
	if !lockWithin(c, queryLockWait) {
		return nil, &reject.Error{Code: reject.SysTransient, ErrorCode: reject.CanisterQueueFull,
			Message: "Canister " + id.String() + " stayed busy for the whole wait of this composite query call"}
	}
	defer c.mu.Unlock()
	if rej := runnable(c); rej != nil {
		return nil, rej
	}
	inst, err := c.instance(g.r)
	if err != nil {
		return nil, asReject(err)
	}
	kind := exec.KindNonReplicatedQuery
	switch {
	case c.module.Queries[call.Method]:
	case c.module.CompositeQueries[call.Method]:
		kind = exec.KindCompositeQuery
	default:
		return nil, reject.FromCanister(id.String(), reject.CanisterMethodNotFound, "Canister has no query method '%s'.", call.Method)
	}
	g.onPath[string(id.Raw)] = true
	defer delete(g.onPath, string(id.Raw))
	inv := invocationAt(g.r, c, kind, call.Method, principal.Principal{Raw: from.rec.ID}, call.Arg, g.now)
	reply, rej := g.evaluate(c, inst, inv, depth)
	if err := inst.Rollback(); err != nil {
		g.r.log.Error("rolling back a query failed; the canister will be reloaded", "canister", id, "err", err)
		c.close()
	}
	return reply, rej
}

// lockWithin takes c.mu unless it stays held by others for d.
func lockWithin(c *canister, d time.Duration) bool {
	deadline := time.Now().Add(d)
	wait := 50 * time.Microsecond
	for !c.mu.TryLock() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
	}
	return true
}
