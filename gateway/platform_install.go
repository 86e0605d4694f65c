package gateway

import (
	"context"
	"net/http"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// installService is canistry.platform.v1.InstallService.
type installService struct {
	platformv1connect.UnimplementedInstallServiceHandler
	p *platform
}

var _ platformv1connect.InstallServiceHandler = (*installService)(nil)

// canisterID parses a request's canister id.
func canisterID(text string) (principal.Principal, error) {
	p, err := principal.Decode(text)
	if err != nil || text == "" {
		return principal.Principal{}, errorf(connect.CodeInvalidArgument, "canister_id %q is not a textual principal", text)
	}
	return p, nil
}

// canister is the registry as the request's caller and the canister id
// the request names.
func (s *installService) canister(ctx context.Context, h http.Header, text string) (*registry.Client, principal.Principal, error) {
	id, err := canisterID(text)
	if err != nil {
		return nil, id, err
	}
	reg, err := s.p.registry(ctx, h)
	return reg, id, err
}

func (s *installService) Install(ctx context.Context, req *connect.Request[platformv1.InstallRequest]) (*connect.Response[platformv1.InstallResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	c, err := reg.Install(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.InstallResponse{Canister: canisterMsg(c)}), nil
}

func (s *installService) ListMyCanisters(ctx context.Context, req *connect.Request[platformv1.ListMyCanistersRequest]) (*connect.Response[platformv1.ListMyCanistersResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	cs, err := reg.MyCanisters(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListMyCanistersResponse{}
	for _, c := range cs {
		m := canisterMsg(c)
		if m.UpgradeAvailable, err = upgradeAvailable(ctx, reg, c); err != nil {
			return nil, platformError(err)
		}
		out.Canisters = append(out.Canisters, m)
	}
	return connect.NewResponse(out), nil
}

// upgradeAvailable is the newest released version c may upgrade to, ""
// when none: the registry's reading of its releases' upgrade_from.
func upgradeAvailable(ctx context.Context, reg *registry.Client, c registry.Canister) (string, error) {
	if c.Version == "" {
		return "", nil
	}
	targets, err := reg.UpgradeTargets(ctx, c.ID)
	if err != nil || len(targets) == 0 {
		return "", err
	}
	return targets[len(targets)-1], nil // oldest first
}

func (s *installService) GetCanister(ctx context.Context, req *connect.Request[platformv1.GetCanisterRequest]) (*connect.Response[platformv1.GetCanisterResponse], error) {
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	c, ok, err := reg.GetCanister(ctx, id)
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		// The registry answers null to strangers too: not telling which
		// canisters exist is its choice.
		return nil, errorf(connect.CodeNotFound, "no canister %s of yours at the registry", id)
	}
	m := canisterMsg(c)
	if m.UpgradeAvailable, err = upgradeAvailable(ctx, reg, c); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetCanisterResponse{Canister: m}), nil
}

func (s *installService) Upgrade(ctx context.Context, req *connect.Request[platformv1.UpgradeRequest]) (*connect.Response[platformv1.UpgradeResponse], error) {
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	u, err := reg.Upgrade(ctx, id, req.Msg.GetVersion())
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.UpgradeResponse{Upgrade: upgradeMsg(u)}), nil
}

func (s *installService) GetUpgrade(ctx context.Context, req *connect.Request[platformv1.GetUpgradeRequest]) (*connect.Response[platformv1.GetUpgradeResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	u, ok, err := reg.GetUpgrade(ctx, req.Msg.GetUpgradeId())
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		return nil, errorf(connect.CodeNotFound, "no upgrade %d of yours at the registry", req.Msg.GetUpgradeId())
	}
	return connect.NewResponse(&platformv1.GetUpgradeResponse{Upgrade: upgradeMsg(u)}), nil
}

func (s *installService) Uninstall(ctx context.Context, req *connect.Request[platformv1.UninstallRequest]) (*connect.Response[platformv1.UninstallResponse], error) {
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	c, err := reg.Uninstall(ctx, id)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.UninstallResponse{Canister: canisterMsg(c)}), nil
}

func (s *installService) DeleteCanister(ctx context.Context, req *connect.Request[platformv1.DeleteCanisterRequest]) (*connect.Response[platformv1.DeleteCanisterResponse], error) {
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	if err := reg.Delete(ctx, id); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.DeleteCanisterResponse{}), nil
}

func (s *installService) ReleaseControl(ctx context.Context, req *connect.Request[platformv1.ReleaseControlRequest]) (*connect.Response[platformv1.ReleaseControlResponse], error) {
	reg, id, err := s.canister(ctx, req.Header(), req.Msg.GetCanisterId())
	if err != nil {
		return nil, err
	}
	if err := reg.ReleaseControl(ctx, id); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.ReleaseControlResponse{}), nil
}
