package replica

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/certify"
	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/httpapi"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
)

// The Replica is the HTTP layer's backend.
var _ httpapi.Backend = (*Replica)(nil)

// RootKey is the DER root key that agents fetch from /api/v2/status.
func (r *Replica) RootKey() []byte { return r.keys.RootKeyDER() }

// Now is the replica's time.
func (r *Replica) Now() time.Time { return time.Now() }

// SignQueryResponse signs a query response as the subnet's node.
func (r *Replica) SignQueryResponse(hash [32]byte) (principal.Principal, []byte) {
	return r.keys.NodeID(), r.keys.SignQueryResponse(hash[:])
}

// Submit pre-processes an ingress update call and queues it for execution.
func (r *Replica) Submit(ctx context.Context, req *httpapi.Request) error {
	if err := r.failure(); err != nil {
		return &httpapi.Error{Status: http.StatusServiceUnavailable, Message: "the replica cannot write its state: " + err.Error()}
	}
	r.mu.Lock()
	_, seen := r.ingress[req.ID]
	r.mu.Unlock()
	if seen {
		return nil // a replay: the first submission's outcome answers it
	}
	if err := r.preprocess(req); err != nil {
		return err
	}
	r.mu.Lock()
	if _, seen := r.ingress[req.ID]; seen {
		r.mu.Unlock()
		return nil
	}
	e := &ingressEntry{id: req.ID, sender: req.Sender.Raw, effective: req.EffectiveCanisterID.Raw, expiry: req.IngressExpiry, done: make(chan struct{})}
	r.ingress[req.ID] = e
	r.mu.Unlock()
	select {
	case r.queue <- &message{req: req, entry: e}:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		delete(r.ingress, req.ID)
		r.mu.Unlock()
		return &httpapi.Error{Status: http.StatusServiceUnavailable, Message: "the replica's message queue is full; retry later"}
	}
}

// preprocess is what the IC checks before it accepts an ingress message.
func (r *Replica) preprocess(req *httpapi.Request) error {
	if isManagement(req.CanisterID) {
		_, err := mgmt.AuthorizeIngress(req.Method, req.Arg, req.Sender, req.EffectiveCanisterID, func(id principal.Principal) mgmt.Target {
			if c := r.lookup(id); c != nil {
				return c
			}
			return nil
		})
		var mismatch *mgmt.EffectiveIDError
		if errors.As(err, &mismatch) {
			return &httpapi.Error{Status: http.StatusBadRequest, Message: mismatch.Error()}
		}
		return err
	}
	c := r.lookup(req.CanisterID)
	if c == nil {
		return canisterNotFound(req.CanisterID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if rej := runnable(c); rej != nil {
		return rej
	}
	if rej := r.outOfCycles(c, cycles.Amount{}); rej != nil {
		return rej
	}
	return r.inspect(c, req)
}

// inspect runs canister_inspect_message, if the canister exports it.
// Callers hold c.mu.
func (r *Replica) inspect(c *canister, req *httpapi.Request) error {
	inst, err := c.instance(r)
	if err != nil {
		return asReject(err)
	}
	if !c.module.Has.InspectMessage {
		return nil
	}
	res := inst.Run(invocationAt(r, c, exec.KindInspectMessage, req.Method, req.Sender, req.Arg, uint64(time.Now().UnixNano())))
	if err := inst.Rollback(); err != nil {
		c.close()
	}
	switch {
	case res.Trap != nil:
		return canisterError(c, res.Trap)
	case !res.Accepted:
		return reject.New(reject.CanisterRejectedMessage, "Canister %s rejected the message", c.id())
	}
	return nil
}

// Await waits until the call is done and returns the certificate of its status.
func (r *Replica) Await(ctx context.Context, req *httpapi.Request) ([]byte, error) {
	r.mu.Lock()
	e := r.ingress[req.ID]
	r.mu.Unlock()
	if e == nil {
		return nil, httpapi.ErrNotDone
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, httpapi.ErrNotDone
	}
	c, err := r.freshCertified()
	if err != nil {
		return nil, err
	}
	return c.Certificate([]certify.Path{{labelRequestStatus, req.ID[:]}})
}

// Query runs a query method without keeping any of its state changes.
func (r *Replica) Query(ctx context.Context, req *httpapi.Request) ([]byte, error) {
	if isManagement(req.CanisterID) {
		return r.viewManagement(req)
	}
	c := r.lookup(req.CanisterID)
	if c == nil {
		return nil, canisterNotFound(req.CanisterID)
	}
	cert, err := r.dataCertificate(c)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if rej := runnable(c); rej != nil {
		return nil, rej
	}
	inst, err := c.instance(r)
	if err != nil {
		return nil, asReject(err)
	}
	kind := exec.KindNonReplicatedQuery
	switch {
	case c.module.Queries[req.Method]:
	case c.module.CompositeQueries[req.Method]:
		kind = exec.KindCompositeQuery
	default:
		return nil, reject.FromCanister(c.id().String(), reject.CanisterMethodNotFound, "Canister has no query method '%s'.", req.Method)
	}
	now := uint64(time.Now().UnixNano())
	inv := invocationAt(r, c, kind, req.Method, req.Sender, req.Arg, now)
	inv.DataCertificate = cert
	g := &queryGraph{r: r, now: now, left: maxQueryGraphInstructions, onPath: map[string]bool{string(c.rec.ID): true}}
	reply, rej := g.evaluate(c, inst, inv, 0)
	r.stats.executed(kindQuery, maxQueryGraphInstructions-g.left)
	if err := inst.Rollback(); err != nil {
		r.log.Error("rolling back a query failed; the canister will be reloaded", "canister", c.id(), "err", err)
		c.close()
	}
	if rej != nil {
		return nil, rej
	}
	return reply, nil
}

// dataCertificate certifies the canister's certified data for
// ic0.data_certificate_copy; nil when the canister certified nothing.
func (r *Replica) dataCertificate(c *canister) ([]byte, error) {
	cert, err := r.freshCertified()
	if err != nil {
		return nil, err
	}
	p := certify.Path{labelCanister, c.rec.ID, labelCertifiedData}
	if _, ok := cert.Tree().Get(p); !ok {
		return nil, nil
	}
	return cert.Certificate([]certify.Path{p})
}

// ReadState certifies the requested paths after checking that the sender
// may read each of them.
func (r *Replica) ReadState(ctx context.Context, req *httpapi.Request) ([]byte, error) {
	if err := r.mayReadAll(req); err != nil {
		return nil, err
	}
	paths := make([]certify.Path, len(req.Paths))
	for i, p := range req.Paths {
		paths[i] = p
	}
	cert, err := r.freshCertified()
	if err != nil {
		return nil, err
	}
	return cert.Certificate(paths)
}

func forbidden(msg string) error { return &httpapi.Error{Status: http.StatusForbidden, Message: msg} }

// inTargets applies a delegation's targets; nil targets allow every canister.
func inTargets(targets []principal.Principal, canister []byte) bool {
	if targets == nil {
		return true
	}
	for _, t := range targets {
		if bytes.Equal(t.Raw, canister) {
			return true
		}
	}
	return false
}
