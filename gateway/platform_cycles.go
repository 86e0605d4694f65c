package gateway

import (
	"context"
	"errors"
	"math"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// cyclesService is canistry.platform.v1.CyclesService over the registry's
// cycles and credit methods.
type cyclesService struct {
	platformv1connect.UnimplementedCyclesServiceHandler
	p *platform
}

var _ platformv1connect.CyclesServiceHandler = (*cyclesService)(nil)

// maxLowPage is the most canisters the registry lists as low at once.
const maxLowPage = 100

func runwaySeconds(d time.Duration, known bool) uint64 {
	if !known {
		return 0
	}
	// 0 means unknown: a known runway of none (frozen) reads as 1 s.
	return max(uint64(d/time.Second), 1)
}

func canisterCyclesMsg(c registry.CanisterCycles) *platformv1.CanisterCycles {
	return &platformv1.CanisterCycles{
		CanisterId: c.CanisterID.String(), App: c.App, Version: c.Version, Owner: c.Owner.String(),
		Balance: c.Balance, BurnPerDay: c.BurnPerDay, RunwaySeconds: runwaySeconds(c.Runway, c.RunwayKnown),
		FreezingLimit: c.FreezingLimit, Low: c.Low, OwnerOutOfCredit: c.OwnerOutOfCredit,
		ToppedUpTotal: c.ToppedUpTotal, LastTopUpTime: ts(c.LastTopUp), CheckedTime: ts(c.Checked),
		Unfunded: c.Unfunded, IdleBurnPerDay: c.IdleBurnPerDay,
	}
}

func creditMsg(c registry.Credit) *platformv1.Credit {
	out := &platformv1.Credit{Balance: c.Balance, Charged: c.Charged, Warnings: c.Warnings, Owner: c.Owner.String()}
	for _, u := range c.Unfunded {
		out.Unfunded = append(out.Unfunded, canisterCyclesMsg(u))
	}
	return out
}

func cyclesPolicyMsg(p registry.CyclesPolicy) *platformv1.CyclesPolicy {
	out := &platformv1.CyclesPolicy{MaxTopUp: p.MaxTopUp}
	switch p.Strategy {
	case registry.BelowBalance:
		out.Strategy = &platformv1.CyclesPolicy_BelowBalance{BelowBalance: &platformv1.BelowBalance{Threshold: p.Threshold, FundTo: p.FundTo}}
	case registry.BelowRuntime:
		out.Strategy = &platformv1.CyclesPolicy_BelowRuntime{BelowRuntime: &platformv1.BelowRuntime{
			ThresholdSeconds: uint64(p.ThresholdTime / time.Second), FundSeconds: uint64(p.FundTime / time.Second)}}
	}
	return out
}

// durationOf is s seconds; beyond what a Duration holds it is refused by
// the registry's own bounds (ten years) anyway, so it saturates.
func durationOf(s uint64) time.Duration {
	if s > uint64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s) * time.Second
}

func cyclesPolicyOf(m *platformv1.CyclesPolicy) (registry.CyclesPolicy, error) {
	if m == nil {
		return registry.CyclesPolicy{}, errorf(connect.CodeInvalidArgument, "policy: required")
	}
	out := registry.CyclesPolicy{MaxTopUp: m.GetMaxTopUp()}
	switch s := m.GetStrategy().(type) {
	case *platformv1.CyclesPolicy_BelowBalance:
		out.Strategy, out.Threshold, out.FundTo = registry.BelowBalance, s.BelowBalance.GetThreshold(), s.BelowBalance.GetFundTo()
	case *platformv1.CyclesPolicy_BelowRuntime:
		out.Strategy = registry.BelowRuntime
		out.ThresholdTime, out.FundTime = durationOf(s.BelowRuntime.GetThresholdSeconds()), durationOf(s.BelowRuntime.GetFundSeconds())
	default:
		return out, errorf(connect.CodeInvalidArgument, "policy: a strategy (below_balance or below_runtime) is required")
	}
	return out, nil
}

func cyclesSettingsMsg(s registry.CyclesSettings) *platformv1.CyclesSettings {
	return &platformv1.CyclesSettings{PollIntervalSeconds: uint32(s.PollInterval / time.Second), BatchSize: uint32(s.BatchSize), Reserve: s.Reserve}
}

func (s *cyclesService) GetCredit(ctx context.Context, req *connect.Request[platformv1.GetCreditRequest]) (*connect.Response[platformv1.GetCreditResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	c, err := reg.MyCredit(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetCreditResponse{Credit: creditMsg(c)}), nil
}

func (s *cyclesService) GrantCredit(ctx context.Context, req *connect.Request[platformv1.GrantCreditRequest]) (*connect.Response[platformv1.GrantCreditResponse], error) {
	owner, err := principalArg("owner", req.Msg.GetOwner())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	c, err := reg.GrantCredit(ctx, owner, req.Msg.GetAmount())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GrantCreditResponse{Credit: creditMsg(c)}), nil
}

func (s *cyclesService) DepositCredit(ctx context.Context, req *connect.Request[platformv1.DepositCreditRequest]) (*connect.Response[platformv1.DepositCreditResponse], error) {
	wallet, err := principalArg("wallet", req.Msg.GetWallet())
	if err != nil {
		return nil, err
	}
	if req.Msg.GetAmount() == 0 {
		return nil, errorf(connect.CodeInvalidArgument, "amount must be at least 1 cycle")
	}
	if _, _, err := s.p.registryAs(ctx, req.Header()); err != nil {
		return nil, err
	}
	// The call goes to the wallet, as the user: the delegation must allow
	// it (and not through roleGate, which reads the registry's refusals).
	user, err := s.p.g.authorize(req.Header(), wallet)
	if err != nil {
		return nil, err
	}
	owner := user.Sender
	if o := req.Msg.GetOwner(); o != "" {
		if owner, err = principalArg("owner", o); err != nil {
			return nil, err
		}
	}
	reg := registry.New(s.p.g.users.As(user.Chain), s.p.id)
	c, err := reg.DepositThroughWallet(ctx, wallet, owner, req.Msg.GetAmount())
	var we *registry.WalletError
	if errors.As(err, &we) {
		return nil, errorf(connect.CodeFailedPrecondition, "%s", we.Error())
	}
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.DepositCreditResponse{Credit: creditMsg(c)}), nil
}

func (s *cyclesService) GetCanisterCycles(ctx context.Context, req *connect.Request[platformv1.GetCanisterCyclesRequest]) (*connect.Response[platformv1.GetCanisterCyclesResponse], error) {
	id, err := canisterID(req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	c, ok, err := reg.CyclesStatus(ctx, id)
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		return nil, errorf(connect.CodeNotFound, "no canister %s of yours at the registry", id)
	}
	return connect.NewResponse(&platformv1.GetCanisterCyclesResponse{Cycles: canisterCyclesMsg(c)}), nil
}

func (s *cyclesService) ListLowCycles(ctx context.Context, req *connect.Request[platformv1.ListLowCyclesRequest]) (*connect.Response[platformv1.ListLowCyclesResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	size := int(req.Msg.GetPageSize())
	if size == 0 || size > maxLowPage {
		size = maxLowPage
	}
	list, err := reg.LowCycles(ctx, size)
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListLowCyclesResponse{}
	for _, c := range list {
		out.Canisters = append(out.Canisters, canisterCyclesMsg(c))
	}
	return connect.NewResponse(out), nil
}

func (s *cyclesService) GetRegistryCycles(ctx context.Context, req *connect.Request[platformv1.GetRegistryCyclesRequest]) (*connect.Response[platformv1.GetRegistryCyclesResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	rc, err := reg.RegistryCycles(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetRegistryCyclesResponse{
		Balance: rc.Balance, BurnPerDay: rc.BurnPerDay, RunwaySeconds: runwaySeconds(rc.Runway, rc.RunwayKnown),
		CreditOutstanding: rc.CreditOutstanding, ToppedUpTotal: rc.ToppedUpTotal, Reserve: rc.Reserve, TopUps: rc.TopUps,
	}), nil
}

func (s *cyclesService) GetCyclesPolicy(ctx context.Context, req *connect.Request[platformv1.GetCyclesPolicyRequest]) (*connect.Response[platformv1.GetCyclesPolicyResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	p, err := reg.CyclesPolicy(ctx, req.Msg.GetApp())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetCyclesPolicyResponse{Policy: cyclesPolicyMsg(p)}), nil
}

func (s *cyclesService) SetCyclesPolicy(ctx context.Context, req *connect.Request[platformv1.SetCyclesPolicyRequest]) (*connect.Response[platformv1.SetCyclesPolicyResponse], error) {
	p, err := cyclesPolicyOf(req.Msg.GetPolicy())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	if err := reg.SetCyclesPolicy(ctx, req.Msg.GetApp(), p); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.SetCyclesPolicyResponse{Policy: cyclesPolicyMsg(p)}), nil
}

func (s *cyclesService) GetCyclesSettings(ctx context.Context, req *connect.Request[platformv1.GetCyclesSettingsRequest]) (*connect.Response[platformv1.GetCyclesSettingsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	st, err := reg.CyclesSettings(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetCyclesSettingsResponse{Settings: cyclesSettingsMsg(st)}), nil
}

func (s *cyclesService) SetCyclesSettings(ctx context.Context, req *connect.Request[platformv1.SetCyclesSettingsRequest]) (*connect.Response[platformv1.SetCyclesSettingsResponse], error) {
	m := req.Msg.GetSettings()
	if m == nil {
		return nil, errorf(connect.CodeInvalidArgument, "settings: required")
	}
	st := registry.CyclesSettings{PollInterval: time.Duration(m.GetPollIntervalSeconds()) * time.Second,
		BatchSize: int(m.GetBatchSize()), Reserve: m.GetReserve()}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	if err := reg.SetCyclesSettings(ctx, st); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.SetCyclesSettingsResponse{Settings: cyclesSettingsMsg(st)}), nil
}
