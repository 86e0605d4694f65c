package gateway

import (
	"context"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// rolloutService is canistry.platform.v1.RolloutService over the
// registry's rollouts (its timers run them; the gateway only asks).
type rolloutService struct {
	platformv1connect.UnimplementedRolloutServiceHandler
	p *platform
}

var _ platformv1connect.RolloutServiceHandler = (*rolloutService)(nil)

// maxRolloutPage bounds ListRollouts (and is its default).
const maxRolloutPage = 100

var rolloutStates = map[registry.RolloutState]platformv1.RolloutState{
	registry.RolloutCanary:  platformv1.RolloutState_ROLLOUT_STATE_CANARY,
	registry.RolloutRunning: platformv1.RolloutState_ROLLOUT_STATE_RUNNING,
	registry.RolloutPaused:  platformv1.RolloutState_ROLLOUT_STATE_PAUSED,
	registry.RolloutHalted:  platformv1.RolloutState_ROLLOUT_STATE_HALTED,
	registry.RolloutAborted: platformv1.RolloutState_ROLLOUT_STATE_ABORTED,
	registry.RolloutDone:    platformv1.RolloutState_ROLLOUT_STATE_DONE,
}

func limitMsg(l registry.FailureLimit) *platformv1.FailureLimit {
	if l.Percent {
		return &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Percent{Percent: uint32(l.N)}}
	}
	return &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Count{Count: uint32(l.N)}}
}

func limitFromMsg(m *platformv1.FailureLimit) (registry.FailureLimit, error) {
	switch l := m.GetLimit().(type) {
	case *platformv1.FailureLimit_Count:
		return registry.FailureLimit{N: uint64(l.Count)}, nil
	case *platformv1.FailureLimit_Percent:
		return registry.FailureLimit{N: uint64(l.Percent), Percent: true}, nil
	}
	return registry.FailureLimit{}, errorf(connect.CodeInvalidArgument, "max_failures needs a count or a percent")
}

func rolloutMsg(r registry.Rollout) *platformv1.Rollout {
	m := &platformv1.Rollout{Id: r.ID, App: r.App, Version: r.Version, CanaryPercent: uint32(r.CanaryPercent),
		BatchSize: uint32(r.BatchSize), MaxFailures: limitMsg(r.MaxFailures), State: rolloutStates[r.State],
		Reason: r.Reason, StartedBy: r.StartedBy.String(), StartTime: ts(r.StartedAt), UpdateTime: ts(r.UpdatedAt),
		Total: uint32(r.Total), Pending: uint32(r.Pending), InProgress: uint32(r.InProgress), Done: uint32(r.Done),
		RolledBack: uint32(r.RolledBack), Failed: uint32(r.Failed), Skipped: uint32(r.Skipped),
		Manual: uint32(r.Manual), Batches: uint32(r.Batches)}
	if r.FinishedAt != nil {
		m.FinishTime = ts(*r.FinishedAt)
	}
	for _, f := range r.Failures {
		m.Failures = append(m.Failures, &platformv1.RolloutFailure{CanisterId: f.CanisterID.String(),
			State: upgradeStates[f.State], Reason: f.Reason})
	}
	return m
}

func policyMsg(p registry.UpgradePolicy) *platformv1.UpgradePolicy {
	kinds := map[registry.PolicyKind]platformv1.UpgradePolicyKind{
		registry.Manual:  platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MANUAL,
		registry.Patch:   platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH,
		registry.Minor:   platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MINOR,
		registry.Channel: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_CHANNEL,
	}
	return &platformv1.UpgradePolicy{Kind: kinds[p.Kind], Channel: p.Channel}
}

func policyFromMsg(m *platformv1.UpgradePolicy) (registry.UpgradePolicy, error) {
	switch m.GetKind() {
	case platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MANUAL:
		return registry.UpgradePolicy{Kind: registry.Manual}, nil
	case platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH:
		return registry.UpgradePolicy{Kind: registry.Patch}, nil
	case platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MINOR:
		return registry.UpgradePolicy{Kind: registry.Minor}, nil
	case platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_CHANNEL:
		return registry.UpgradePolicy{Kind: registry.Channel, Channel: m.GetChannel()}, nil
	}
	return registry.UpgradePolicy{}, errorf(connect.CodeInvalidArgument, "policy.kind must be manual, patch, minor or channel")
}

// SetUpgradePolicy is InstallService's: the owner's call, answered with
// the canister as it now is.
func (s *installService) SetUpgradePolicy(ctx context.Context, req *connect.Request[platformv1.SetUpgradePolicyRequest]) (*connect.Response[platformv1.SetUpgradePolicyResponse], error) {
	policy, err := policyFromMsg(req.Msg.GetPolicy())
	if err != nil {
		return nil, err
	}
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	if err := reg.SetPolicy(ctx, id, policy); err != nil {
		return nil, platformError(err)
	}
	c, ok, err := reg.GetCanister(ctx, id)
	if err != nil || !ok {
		return nil, platformError(err)
	}
	m := canisterMsg(c)
	if m.UpgradeAvailable, err = upgradeAvailable(ctx, reg, c); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.SetUpgradePolicyResponse{Canister: m}), nil
}

func (s *rolloutService) StartRollout(ctx context.Context, req *connect.Request[platformv1.StartRolloutRequest]) (*connect.Response[platformv1.StartRolloutResponse], error) {
	limit, err := limitFromMsg(req.Msg.GetMaxFailures())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := reg.StartRollout(ctx, registry.NewRollout{App: req.Msg.GetApp(), Version: req.Msg.GetVersion(),
		CanaryPercent: uint64(req.Msg.GetCanaryPercent()), BatchSize: uint64(req.Msg.GetBatchSize()), MaxFailures: limit})
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.StartRolloutResponse{Rollout: rolloutMsg(r)}), nil
}

// rollout reads rollout id as the request's caller; the registry answers
// null to anyone but operators, which is NotFound here as for upgrades.
func (s *rolloutService) rollout(ctx context.Context, reg *registry.Client, id uint64) (registry.Rollout, error) {
	r, ok, err := reg.GetRollout(ctx, id)
	if err != nil {
		return r, platformError(err)
	}
	if !ok {
		return r, errorf(connect.CodeNotFound, "no rollout %d visible to you at the registry (operators only)", id)
	}
	return r, nil
}

func (s *rolloutService) GetRollout(ctx context.Context, req *connect.Request[platformv1.GetRolloutRequest]) (*connect.Response[platformv1.GetRolloutResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := s.rollout(ctx, reg, req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.GetRolloutResponse{Rollout: rolloutMsg(r)}), nil
}

func (s *rolloutService) ListRollouts(ctx context.Context, req *connect.Request[platformv1.ListRolloutsRequest]) (*connect.Response[platformv1.ListRolloutsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	rs, err := reg.ListRollouts(ctx, req.Msg.GetApp())
	if err != nil {
		return nil, platformError(err)
	}
	size := int(req.Msg.GetPageSize())
	if size == 0 || size > maxRolloutPage {
		size = maxRolloutPage
	}
	out := &platformv1.ListRolloutsResponse{}
	for _, r := range rs[:min(size, len(rs))] {
		out.Rollouts = append(out.Rollouts, rolloutMsg(r))
	}
	return connect.NewResponse(out), nil
}

// WatchRollout polls get_rollout and sends the rollout whenever it
// changed, until it is final with nothing in flight or the request's
// deadline (the client's, else the gateway's request timeout).
func (s *rolloutService) WatchRollout(ctx context.Context, req *connect.Request[platformv1.WatchRolloutRequest], stream *connect.ServerStream[platformv1.WatchRolloutResponse]) error {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return err
	}
	ctx, cancel := s.p.watchContext(ctx)
	defer cancel()
	tick := time.NewTicker(watchPoll)
	defer tick.Stop()
	var last time.Time
	for {
		r, err := s.rollout(ctx, reg, req.Msg.GetId())
		if err != nil {
			return err
		}
		if !r.UpdatedAt.Equal(last) {
			if err := stream.Send(&platformv1.WatchRolloutResponse{Rollout: rolloutMsg(r)}); err != nil {
				return err
			}
			last = r.UpdatedAt
		}
		if r.State.Final() && r.InProgress == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return connect.NewError(connect.CodeDeadlineExceeded, ctx.Err())
		case <-tick.C:
		}
	}
}

func (s *rolloutService) PauseRollout(ctx context.Context, req *connect.Request[platformv1.PauseRolloutRequest]) (*connect.Response[platformv1.PauseRolloutResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := reg.PauseRollout(ctx, req.Msg.GetId())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.PauseRolloutResponse{Rollout: rolloutMsg(r)}), nil
}

func (s *rolloutService) ResumeRollout(ctx context.Context, req *connect.Request[platformv1.ResumeRolloutRequest]) (*connect.Response[platformv1.ResumeRolloutResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := reg.ResumeRollout(ctx, req.Msg.GetId())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.ResumeRolloutResponse{Rollout: rolloutMsg(r)}), nil
}

func (s *rolloutService) AbortRollout(ctx context.Context, req *connect.Request[platformv1.AbortRolloutRequest]) (*connect.Response[platformv1.AbortRolloutResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := reg.AbortRollout(ctx, req.Msg.GetId())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.AbortRolloutResponse{Rollout: rolloutMsg(r)}), nil
}

func (s *rolloutService) SetReleaseChannels(ctx context.Context, req *connect.Request[platformv1.SetReleaseChannelsRequest]) (*connect.Response[platformv1.SetReleaseChannelsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	rel, err := reg.SetReleaseChannels(ctx, req.Msg.GetApp(), req.Msg.GetVersion(), req.Msg.GetChannels())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.SetReleaseChannelsResponse{Release: releaseMsg(rel)}), nil
}
