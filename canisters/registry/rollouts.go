package registry

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// RolloutState is where a rollout is; Halted, Aborted and Done are final.
type RolloutState string

// The rollout states.
const (
	RolloutCanary  RolloutState = "canary"
	RolloutRunning RolloutState = "running"
	RolloutPaused  RolloutState = "paused"
	RolloutHalted  RolloutState = "halted"
	RolloutAborted RolloutState = "aborted"
	RolloutDone    RolloutState = "done"
)

// Final reports whether no batch starts any more.
func (s RolloutState) Final() bool {
	return s == RolloutHalted || s == RolloutAborted || s == RolloutDone
}

// FailureLimit is the most failures (rolled back or failed upgrades) a
// rollout bears before it halts: N of them, or N percent of the upgrades
// attempted so far.
type FailureLimit struct {
	N       uint64
	Percent bool
}

// String is the limit as ParseFailureLimit reads it: "3" or "10%".
func (l FailureLimit) String() string {
	if l.Percent {
		return strconv.FormatUint(l.N, 10) + "%"
	}
	return strconv.FormatUint(l.N, 10)
}

// ParseFailureLimit reads a count ("3") or a percent ("10%", at most 100).
func ParseFailureLimit(s string) (FailureLimit, error) {
	digits, percent := strings.CutSuffix(s, "%")
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || (percent && n > 100) {
		return FailureLimit{}, &Error{Kind: InvalidArgument, Message: fmt.Sprintf("max failures %q is not a count (3) or a percent of 0%% to 100%% (10%%)", s)}
	}
	return FailureLimit{N: n, Percent: percent}, nil
}

// NewRollout is what start_rollout takes.
type NewRollout struct {
	App, Version  string
	CanaryPercent uint64 // 0..100; 0: no canary batch
	BatchSize     uint64 // 1..100 upgrades at a time after the canary
	MaxFailures   FailureLimit
}

// RolloutFailure is one failed or rolled-back upgrade of a rollout.
type RolloutFailure struct {
	CanisterID principal.Principal
	State      UpgradeState
	Reason     string
}

// Rollout is one rollout of an app's release to the canisters whose
// policy admits it, run by the registry's timers.
type Rollout struct {
	ID            uint64
	App, Version  string
	CanaryPercent uint64
	BatchSize     uint64
	MaxFailures   FailureLimit
	State         RolloutState
	Reason        string // why it halted or who aborted it
	StartedBy     principal.Principal
	StartedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    *time.Time
	// Total targets (fixed at the start); Manual counts canisters that
	// could take the version but whose owners are on manual (told only).
	Total, Pending, InProgress, Done, RolledBack, Failed, Skipped, Manual uint64
	Batches                                                               uint64           // started, the canary included
	Failures                                                              []RolloutFailure // the most recent, at most 20
}

func rolloutResult(out c.RolloutResult) (Rollout, error) {
	if out.Err != nil || out.Ok == nil {
		return Rollout{}, fromCandid(out.Err)
	}
	return rolloutFromCandid(*out.Ok), nil
}

func (cl *Client) rolloutCall(ctx context.Context, method string, args ...any) (Rollout, error) {
	var out c.RolloutResult
	if err := cl.call(ctx, method, &out, args...); err != nil {
		return Rollout{}, err
	}
	return rolloutResult(out)
}

// StartRollout starts a rollout (operators); the registry's timers run
// its batches, so it goes on whatever happens to the caller.
func (cl *Client) StartRollout(ctx context.Context, n NewRollout) (Rollout, error) {
	return cl.rolloutCall(ctx, "start_rollout", newRolloutToCandid(n))
}

// GetRollout is rollout id (operators); ok is false for anyone else and
// for unknown ids.
func (cl *Client) GetRollout(ctx context.Context, id uint64) (r Rollout, ok bool, err error) {
	var out *c.RolloutInfo
	if err := cl.query(ctx, "get_rollout", &out, nat(id)); err != nil || out == nil {
		return Rollout{}, false, err
	}
	return rolloutFromCandid(*out), true, nil
}

// ListRollouts lists rollouts newest first, only app's unless app is ""
// (operators; anyone else gets none).
func (cl *Client) ListRollouts(ctx context.Context, app string) ([]Rollout, error) {
	var filter *string
	if app != "" {
		filter = &app
	}
	var out []c.RolloutInfo
	if err := cl.query(ctx, "list_rollouts", &out, filter); err != nil {
		return nil, err
	}
	rs := make([]Rollout, len(out))
	for i, r := range out {
		rs[i] = rolloutFromCandid(r)
	}
	return rs, nil
}

// PauseRollout: no new batch starts; the one under way finishes.
func (cl *Client) PauseRollout(ctx context.Context, id uint64) (Rollout, error) {
	return cl.rolloutCall(ctx, "pause_rollout", nat(id))
}

// ResumeRollout continues a paused rollout.
func (cl *Client) ResumeRollout(ctx context.Context, id uint64) (Rollout, error) {
	return cl.rolloutCall(ctx, "resume_rollout", nat(id))
}

// AbortRollout ends a rollout: no new upgrade starts, the ones under way
// finish and are still counted.
func (cl *Client) AbortRollout(ctx context.Context, id uint64) (Rollout, error) {
	return cl.rolloutCall(ctx, "abort_rollout", nat(id))
}

// WatchRollout follows rollout id until it is final, polling GetRollout
// every interval (at least 10 ms) and passing each changed state to
// onChange (may be nil), the first one too. It returns the final rollout,
// or ctx's error.
func (cl *Client) WatchRollout(ctx context.Context, id uint64, interval time.Duration, onChange func(Rollout)) (Rollout, error) {
	interval = max(interval, 10*time.Millisecond)
	var last time.Time
	for {
		r, ok, err := cl.GetRollout(ctx, id)
		if err != nil {
			return Rollout{}, err
		}
		if !ok {
			return Rollout{}, &Error{Kind: NotFound, Message: fmt.Sprintf("no rollout %d visible to this caller", id)}
		}
		if onChange != nil && !r.UpdatedAt.Equal(last) {
			onChange(r)
		}
		last = r.UpdatedAt
		if r.State.Final() && r.InProgress == 0 {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(interval):
		}
	}
}
