package gateway

import (
	"context"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

// watchPoll is how often WatchUpgrade reads the upgrade: a step of an
// upgrade takes at least a round, so a user sees each within ~100 ms.
const watchPoll = 100 * time.Millisecond

// watchContext bounds a watch stream by the client's deadline, else the
// gateway's request timeout: a watch of something that never ends must
// end.
func (p *platform) watchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, p.g.limits.RequestTimeout)
}

// WatchUpgrade polls get_upgrade and sends every step it has not sent, in
// order, until the upgrade is final (that message carries the final state
// and the reason) or the request's deadline (the client's, else the
// gateway's request timeout).
func (s *installService) WatchUpgrade(ctx context.Context, req *connect.Request[platformv1.WatchUpgradeRequest], stream *connect.ServerStream[platformv1.WatchUpgradeResponse]) error {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return err
	}
	ctx, cancel := s.p.watchContext(ctx)
	defer cancel()
	id := req.Msg.GetUpgradeId()
	tick := time.NewTicker(watchPoll)
	defer tick.Stop()
	sent := 0
	for {
		u, ok, err := reg.GetUpgrade(ctx, id)
		if err != nil {
			return platformError(err)
		}
		if !ok {
			return errorf(connect.CodeNotFound, "no upgrade %d of yours at the registry", id)
		}
		if sent, err = sendSteps(stream, u, sent); err != nil || u.State.Final() {
			return err
		}
		select {
		case <-ctx.Done():
			return connect.NewError(connect.CodeDeadlineExceeded, ctx.Err())
		case <-tick.C:
		}
	}
}

// sendSteps sends u's steps from index sent on and returns how many are
// sent. A final upgrade's last message carries its state and reason; one
// whose final state has no step of its own gets one made of the outcome.
func sendSteps(stream *connect.ServerStream[platformv1.WatchUpgradeResponse], u registry.Upgrade, sent int) (int, error) {
	steps := u.Steps[min(sent, len(u.Steps)):]
	if u.State.Final() && (len(u.Steps) == 0 || u.Steps[len(u.Steps)-1].State != u.State) {
		at := time.Now()
		if u.FinishedAt != nil {
			at = *u.FinishedAt
		}
		steps = append(steps[:len(steps):len(steps)], registry.UpgradeStep{At: at, State: u.State, Message: u.Reason})
	}
	for _, st := range steps {
		msg := &platformv1.WatchUpgradeResponse{Step: stepMsg(st), State: upgradeStates[u.State]}
		if u.State.Final() {
			msg.Reason = u.Reason
		}
		if err := stream.Send(msg); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
