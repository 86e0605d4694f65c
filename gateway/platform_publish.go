package gateway

import (
	"context"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// publisherService is canistry.platform.v1.PublisherService.
type publisherService struct {
	platformv1connect.UnimplementedPublisherServiceHandler
	p *platform
}

var _ platformv1connect.PublisherServiceHandler = (*publisherService)(nil)

func principalArg(field, text string) (principal.Principal, error) {
	p, err := principal.Decode(text)
	if err != nil || text == "" {
		return principal.Principal{}, errorf(connect.CodeInvalidArgument, "%s %q is not a textual principal", field, text)
	}
	return p, nil
}

func roleArg(r platformv1.Role) (registry.Role, error) {
	role, ok := roles[r]
	if !ok {
		return "", errorf(connect.CodeInvalidArgument, "role %s: want ROLE_OPERATOR, ROLE_DEVELOPER or ROLE_AUDITOR", r)
	}
	return role, nil
}

func (s *publisherService) CreateApp(ctx context.Context, req *connect.Request[platformv1.CreateAppRequest]) (*connect.Response[platformv1.CreateAppResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	m := req.Msg
	app, err := reg.CreateApp(ctx, registry.NewApp{ID: m.GetApp(), Name: m.GetName(), Description: m.GetDescription()})
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.CreateAppResponse{App: appMsg(app)}), nil
}

func (s *publisherService) AddDeveloper(ctx context.Context, req *connect.Request[platformv1.AddDeveloperRequest]) (*connect.Response[platformv1.AddDeveloperResponse], error) {
	dev, err := principalArg("developer", req.Msg.GetDeveloper())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	app, err := reg.AddDeveloper(ctx, req.Msg.GetApp(), dev)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.AddDeveloperResponse{App: appMsg(app)}), nil
}

func (s *publisherService) RemoveDeveloper(ctx context.Context, req *connect.Request[platformv1.RemoveDeveloperRequest]) (*connect.Response[platformv1.RemoveDeveloperResponse], error) {
	dev, err := principalArg("developer", req.Msg.GetDeveloper())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	app, err := reg.RemoveDeveloper(ctx, req.Msg.GetApp(), dev)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.RemoveDeveloperResponse{App: appMsg(app)}), nil
}

// releaseStep is one lifecycle call on (app, version).
func (s *publisherService) releaseStep(ctx context.Context, req connect.AnyRequest, do func(*registry.Client) (registry.Release, error)) (*platformv1.Release, error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, err := do(reg)
	if err != nil {
		return nil, platformError(err)
	}
	return releaseMsg(r), nil
}

func (s *publisherService) SubmitRelease(ctx context.Context, req *connect.Request[platformv1.SubmitReleaseRequest]) (*connect.Response[platformv1.SubmitReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.SubmitRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.SubmitReleaseResponse{Release: r}), nil
}

func (s *publisherService) ApproveRelease(ctx context.Context, req *connect.Request[platformv1.ApproveReleaseRequest]) (*connect.Response[platformv1.ApproveReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.ApproveRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.ApproveReleaseResponse{Release: r}), nil
}

func (s *publisherService) RejectRelease(ctx context.Context, req *connect.Request[platformv1.RejectReleaseRequest]) (*connect.Response[platformv1.RejectReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.RejectRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion(), req.Msg.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.RejectReleaseResponse{Release: r}), nil
}

func (s *publisherService) PublishRelease(ctx context.Context, req *connect.Request[platformv1.PublishReleaseRequest]) (*connect.Response[platformv1.PublishReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.PublishRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.PublishReleaseResponse{Release: r}), nil
}

func (s *publisherService) DeprecateRelease(ctx context.Context, req *connect.Request[platformv1.DeprecateReleaseRequest]) (*connect.Response[platformv1.DeprecateReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.DeprecateRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.DeprecateReleaseResponse{Release: r}), nil
}

func (s *publisherService) RevokeRelease(ctx context.Context, req *connect.Request[platformv1.RevokeReleaseRequest]) (*connect.Response[platformv1.RevokeReleaseResponse], error) {
	r, err := s.releaseStep(ctx, req, func(reg *registry.Client) (registry.Release, error) {
		return reg.RevokeRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion(), req.Msg.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&platformv1.RevokeReleaseResponse{Release: r}), nil
}

func (s *publisherService) GrantRole(ctx context.Context, req *connect.Request[platformv1.GrantRoleRequest]) (*connect.Response[platformv1.GrantRoleResponse], error) {
	role, who, err := roleAndPrincipal(req.Msg.GetRole(), req.Msg.GetPrincipal())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	if err := reg.GrantRole(ctx, role, who); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GrantRoleResponse{}), nil
}

func (s *publisherService) RevokeRole(ctx context.Context, req *connect.Request[platformv1.RevokeRoleRequest]) (*connect.Response[platformv1.RevokeRoleResponse], error) {
	role, who, err := roleAndPrincipal(req.Msg.GetRole(), req.Msg.GetPrincipal())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	if err := reg.RevokeRole(ctx, role, who); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.RevokeRoleResponse{}), nil
}

func roleAndPrincipal(r platformv1.Role, text string) (registry.Role, principal.Principal, error) {
	role, err := roleArg(r)
	if err != nil {
		return "", principal.Principal{}, err
	}
	who, err := principalArg("principal", text)
	return role, who, err
}

func (s *publisherService) ListMyRoles(ctx context.Context, req *connect.Request[platformv1.ListMyRolesRequest]) (*connect.Response[platformv1.ListMyRolesResponse], error) {
	reg, user, err := s.p.registryAs(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	rs, err := reg.MyRoles(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListMyRolesResponse{Principal: user.String()}
	for _, r := range rs {
		out.Roles = append(out.Roles, roleMsg(r))
	}
	return connect.NewResponse(out), nil
}

func (s *publisherService) ListRoleMembers(ctx context.Context, req *connect.Request[platformv1.ListRoleMembersRequest]) (*connect.Response[platformv1.ListRoleMembersResponse], error) {
	role, err := roleArg(req.Msg.GetRole())
	if err != nil {
		return nil, err
	}
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	ps, err := reg.ListRole(ctx, role)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.ListRoleMembersResponse{Principals: texts(ps)}), nil
}

func (s *publisherService) GetQuotas(ctx context.Context, req *connect.Request[platformv1.GetQuotasRequest]) (*connect.Response[platformv1.GetQuotasResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	q, err := reg.GetQuotas(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.GetQuotasResponse{Quotas: quotasMsg(q)}), nil
}

func (s *publisherService) SetQuotas(ctx context.Context, req *connect.Request[platformv1.SetQuotasRequest]) (*connect.Response[platformv1.SetQuotasResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	q := req.Msg.GetQuotas()
	if q == nil {
		return nil, errorf(connect.CodeInvalidArgument, "quotas: required")
	}
	if err := reg.SetQuotas(ctx, registry.Quotas{CanistersPerUser: q.GetCanistersPerUser(), CreationsPerUserDay: q.GetCreationsPerUserDay(),
		CreationsPerHour: q.GetCreationsPerHour(), CyclesPerCanister: q.GetCyclesPerCanister()}); err != nil {
		return nil, platformError(err)
	}
	return connect.NewResponse(&platformv1.SetQuotasResponse{}), nil
}
