package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const rolloutHelp = `Usage: canistry rollout <subcommand> [flags]

Rollouts upgrade an app's canisters whose owners opted in (their policy,
'canistry canister policy', admits the version): a canary batch first, then
batches in parallel, each canister with the registry's snapshot → upgrade →
health check → rollback. The registry's timers run a rollout: this command
may go away. Operators only.

  start APP VERSION --canary PERCENT --batch N --max-failures N|P% [--detach]
                             start one; prints its id, then its progress until it is final
                             (exit 1 when it halted or was aborted); --detach: only the id
  status ID                  its state, counters and most recent failures
  list [APP]                 rollouts, newest first
  pause ID                   no new batch starts; the one under way finishes
  resume ID                  go on with a paused rollout
  abort ID                   no new upgrade starts; the ones under way finish

Flags (anywhere after the subcommand):
`

type rolloutFlags struct {
	canary, batch uint64
	maxFailures   string
	detach        bool
}

func runRollout(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("rollout", rolloutHelp, stderr)
	var rf rolloutFlags
	s.fs.Uint64Var(&rf.canary, "canary", 0, "start: percent (0 to 100) of the targets in the canary batch, at least one when above 0")
	s.fs.Uint64Var(&rf.batch, "batch", 0, "start: upgrades at a time after the canary, 1 to 100 (required)")
	s.fs.StringVar(&rf.maxFailures, "max-failures", "", "start: the failures it bears before halting: a count (3) or a percent of those attempted (10%) (required)")
	s.fs.BoolVar(&rf.detach, "detach", false, "start: print the id and return; the rollout goes on")
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	sub, pos := s.args[0], s.args[1:]
	switch sub {
	case "start":
		return rolloutStart(s, rf, pos, stdout, stderr)
	case "list":
		if len(pos) > 1 {
			return s.usageError(stderr, "rollout list [APP]")
		}
		return rolloutList(s, strings.Join(pos, ""), stdout, stderr)
	case "status", "pause", "resume", "abort":
		if len(pos) != 1 {
			return s.usageError(stderr, "rollout "+sub+" ID")
		}
		id, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "canistry rollout %s: %q is not a rollout id (a number)\n", sub, pos[0])
			return errUsage
		}
		return rolloutControl(s, sub, id, stdout, stderr)
	}
	fmt.Fprintf(stderr, "canistry rollout: unknown subcommand %q\n\n", sub)
	s.fs.Usage()
	return errUsage
}

func rolloutStart(s *subcommand, rf rolloutFlags, pos []string, stdout, stderr io.Writer) error {
	line := "rollout start APP VERSION --canary PERCENT --batch N --max-failures N|P% [--detach]"
	if len(pos) != 2 || rf.batch == 0 || rf.maxFailures == "" {
		return s.usageError(stderr, line)
	}
	limit, err := registry.ParseFailureLimit(rf.maxFailures)
	if err != nil {
		fmt.Fprintf(stderr, "canistry rollout start: --max-failures: %s\n", strings.TrimPrefix(err.Error(), "registry: invalid_argument: "))
		return errUsage
	}
	if rf.canary > 100 || rf.batch > 100 {
		fmt.Fprintln(stderr, "canistry rollout start: --canary is 0 to 100 and --batch 1 to 100")
		return errUsage
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	fl := &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Count{Count: uint32(limit.N)}}
	if limit.Percent {
		fl = &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Percent{Percent: uint32(limit.N)}}
	}
	resp, err := c.rollout.StartRollout(ctx, connect.NewRequest(&platformv1.StartRolloutRequest{App: pos[0], Version: pos[1],
		CanaryPercent: uint32(rf.canary), BatchSize: uint32(rf.batch), MaxFailures: fl}))
	if err != nil {
		return gatewayError("start a rollout of "+pos[0]+" "+pos[1], err)
	}
	r := resp.Msg.GetRollout()
	fmt.Fprintf(stdout, "rollout %d\n", r.GetId())
	if rf.detach {
		return nil
	}
	last, err := watchRollout(ctx, c, r.GetId(), stderr)
	if err != nil {
		return err
	}
	printRollout(stdout, last)
	return rolloutOutcome(last)
}

// watchRollout draws the rollout's progress on progress until it is final
// with nothing in flight, watching again when the gateway ends a watch at
// its own deadline.
func watchRollout(ctx context.Context, c *platformClients, id uint64, progress io.Writer) (*platformv1.Rollout, error) {
	var last *platformv1.Rollout
	defer fmt.Fprintln(progress)
	for {
		stream, err := c.rollout.WatchRollout(ctx, connect.NewRequest(&platformv1.WatchRolloutRequest{Id: id}))
		if err != nil {
			return nil, gatewayError("watch the rollout", err)
		}
		for stream.Receive() {
			last = stream.Msg().GetRollout()
			drawRollout(progress, last)
		}
		err = stream.Err()
		stream.Close()
		if last != nil && rolloutFinal(last) {
			return last, nil
		}
		if err != nil && (connect.CodeOf(err) != connect.CodeDeadlineExceeded || ctx.Err() != nil) {
			return nil, gatewayError("watch the rollout", err)
		}
	}
}

func rolloutFinal(r *platformv1.Rollout) bool {
	switch r.GetState() {
	case platformv1.RolloutState_ROLLOUT_STATE_HALTED, platformv1.RolloutState_ROLLOUT_STATE_ABORTED, platformv1.RolloutState_ROLLOUT_STATE_DONE:
		return r.GetInProgress() == 0
	}
	return false
}

// rolloutOutcome is nil for a done rollout, the reason for a halted or
// aborted one.
func rolloutOutcome(r *platformv1.Rollout) error {
	if r.GetState() == platformv1.RolloutState_ROLLOUT_STATE_DONE {
		return nil
	}
	return fmt.Errorf("rollout %d %s: %s", r.GetId(), rolloutState(r.GetState()), r.GetReason())
}

func drawRollout(w io.Writer, r *platformv1.Rollout) {
	const width = 30
	finished := r.GetDone() + r.GetRolledBack() + r.GetFailed() + r.GetSkipped()
	filled := width
	if r.GetTotal() > 0 {
		filled = int(finished) * width / int(r.GetTotal())
	}
	fmt.Fprintf(w, "\r%-8s [%s%s] %d/%d  done %d  rolled back %d  failed %d  skipped %d  in progress %d ",
		rolloutState(r.GetState()), strings.Repeat("=", filled), strings.Repeat(" ", width-filled), finished, r.GetTotal(),
		r.GetDone(), r.GetRolledBack(), r.GetFailed(), r.GetSkipped(), r.GetInProgress())
}

func rolloutList(s *subcommand, app string, stdout, stderr io.Writer) error {
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	resp, err := c.rollout.ListRollouts(ctx, connect.NewRequest(&platformv1.ListRolloutsRequest{App: app}))
	if err != nil {
		return gatewayError("list rollouts", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAPP\tVERSION\tSTATE\tTOTAL\tDONE\tROLLED BACK\tFAILED\tMANUAL")
	for _, r := range resp.Msg.GetRollouts() {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", r.GetId(), r.GetApp(), r.GetVersion(), rolloutState(r.GetState()),
			r.GetTotal(), r.GetDone(), r.GetRolledBack(), r.GetFailed(), r.GetManual())
	}
	return tw.Flush()
}

func rolloutControl(s *subcommand, sub string, id uint64, stdout, stderr io.Writer) error {
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	var r *platformv1.Rollout
	switch sub {
	case "status":
		resp, e := c.rollout.GetRollout(ctx, connect.NewRequest(&platformv1.GetRolloutRequest{Id: id}))
		r, err = rolloutOf(resp, e, (*platformv1.GetRolloutResponse).GetRollout)
	case "pause":
		resp, e := c.rollout.PauseRollout(ctx, connect.NewRequest(&platformv1.PauseRolloutRequest{Id: id}))
		r, err = rolloutOf(resp, e, (*platformv1.PauseRolloutResponse).GetRollout)
	case "resume":
		resp, e := c.rollout.ResumeRollout(ctx, connect.NewRequest(&platformv1.ResumeRolloutRequest{Id: id}))
		r, err = rolloutOf(resp, e, (*platformv1.ResumeRolloutResponse).GetRollout)
	default: // abort
		resp, e := c.rollout.AbortRollout(ctx, connect.NewRequest(&platformv1.AbortRolloutRequest{Id: id}))
		r, err = rolloutOf(resp, e, (*platformv1.AbortRolloutResponse).GetRollout)
	}
	if err != nil {
		return gatewayError(fmt.Sprintf("%s rollout %d", sub, id), err)
	}
	printRollout(stdout, r)
	return nil
}

func rolloutOf[T any](r *connect.Response[T], err error, get func(*T) *platformv1.Rollout) (*platformv1.Rollout, error) {
	if err != nil {
		return nil, err
	}
	if got := get(r.Msg); got != nil {
		return got, nil
	}
	return nil, errors.New("the gateway answered without a rollout")
}

func printRollout(w io.Writer, r *platformv1.Rollout) {
	limit := strconv.FormatUint(uint64(r.GetMaxFailures().GetCount()), 10)
	if p, ok := r.GetMaxFailures().GetLimit().(*platformv1.FailureLimit_Percent); ok {
		limit = strconv.FormatUint(uint64(p.Percent), 10) + "%"
	}
	fmt.Fprintf(w, "rollout %d: %s %s  %s\n", r.GetId(), r.GetApp(), r.GetVersion(), rolloutState(r.GetState()))
	if r.GetReason() != "" {
		fmt.Fprintf(w, "  reason: %s\n", r.GetReason())
	}
	fmt.Fprintf(w, "  canary %d%%, batches of %d, max failures %s; %d batches started\n",
		r.GetCanaryPercent(), r.GetBatchSize(), limit, r.GetBatches())
	fmt.Fprintf(w, "  total %d: pending %d, in progress %d, done %d, rolled back %d, failed %d, skipped %d; %d on manual (told only)\n",
		r.GetTotal(), r.GetPending(), r.GetInProgress(), r.GetDone(), r.GetRolledBack(), r.GetFailed(), r.GetSkipped(), r.GetManual())
	for _, f := range r.GetFailures() {
		fmt.Fprintf(w, "  %s %s: %s\n", f.GetCanisterId(), upgradeState(f.GetState()), f.GetReason())
	}
}

func rolloutState(s platformv1.RolloutState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "ROLLOUT_STATE_"))
}
