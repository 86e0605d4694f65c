package gateway

import (
	"context"
	"math"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// fleetService is canistry.platform.v1.FleetService: the registry's fleet
// counts and the gateway's own adapters, for the dashboard.
type fleetService struct {
	platformv1connect.UnimplementedFleetServiceHandler
	p *platform
}

var _ platformv1connect.FleetServiceHandler = (*fleetService)(nil)

func (s *fleetService) GetFleetStats(ctx context.Context, req *connect.Request[platformv1.GetFleetStatsRequest]) (*connect.Response[platformv1.GetFleetStatsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	stats, err := reg.FleetStats(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetFleetStatsResponse{Stats: fleetMsg(stats)}), nil
}

// GetGatewayStatus authorizes the caller as every platform call does
// (towards the registry): the adapters' names and restarts are no secret
// (the metrics export them), but the platform API answers only signed-in
// callers.
func (s *fleetService) GetGatewayStatus(ctx context.Context, req *connect.Request[platformv1.GetGatewayStatusRequest]) (*connect.Response[platformv1.GetGatewayStatusResponse], error) {
	if _, err := s.p.registry(ctx, req.Header()); err != nil {
		return nil, err
	}
	serving := s.p.g.health.serving()
	out := &platformv1.GetGatewayStatusResponse{Registry: s.p.id.String()}
	for _, a := range s.p.g.host.Adapters() {
		m := a.Manifest()
		out.Adapters = append(out.Adapters, &platformv1.AdapterStatus{
			Name: m.Name, Protocol: m.Protocol, Constraint: m.ConstraintText, Version: m.Version.String(),
			Healthy: serving[m.Name], Restarts: count32(uint64(max(a.Restarts(), 0))),
		})
	}
	return connect.NewResponse(out), nil
}

// count32 is a count as the API's uint32, saturated: one registry's
// canisters are far fewer, but a wrapped count would read as a small one.
func count32(n uint64) uint32 {
	return uint32(min(n, math.MaxUint32))
}

func fleetMsg(f registry.FleetStats) *platformv1.FleetStats {
	u, r := f.Upgrades, f.Releases
	out := &platformv1.FleetStats{
		Upgrades: &platformv1.UpgradeCounts{Done: count32(u.Done), RolledBack: count32(u.RolledBack),
			Failed: count32(u.Failed), InProgress: count32(u.InProgress)},
		Releases: &platformv1.ReleaseCounts{
			Draft: count32(r[registry.Draft]), Submitted: count32(r[registry.Submitted]),
			Approved: count32(r[registry.Approved]), Rejected: count32(r[registry.Rejected]),
			Released: count32(r[registry.Released]), Deprecated: count32(r[registry.Deprecated]),
			Revoked: count32(r[registry.Revoked])},
		Apps: count32(f.Apps), Operators: count32(f.Operators),
		Developers: count32(f.Developers), Auditors: count32(f.Auditors),
		LowCycles: count32(f.LowCycles),
	}
	for _, g := range f.Canisters {
		out.Canisters = append(out.Canisters, &platformv1.FleetCount{App: g.App, Version: g.Version,
			State: canisterStates[g.State], Count: count32(g.Count)})
	}
	return out
}
