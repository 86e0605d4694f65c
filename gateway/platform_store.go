package gateway

import (
	"context"

	"connectrpc.com/connect"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// storeService is canistry.platform.v1.StoreService.
type storeService struct {
	platformv1connect.UnimplementedStoreServiceHandler
	p *platform
}

var _ platformv1connect.StoreServiceHandler = (*storeService)(nil)

func (s *storeService) ListApps(ctx context.Context, req *connect.Request[platformv1.ListAppsRequest]) (*connect.Response[platformv1.ListAppsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	apps, err := reg.ListApps(ctx)
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListAppsResponse{}
	for _, a := range apps {
		out.Apps = append(out.Apps, appMsg(a))
	}
	return connect.NewResponse(out), nil
}

func (s *storeService) GetApp(ctx context.Context, req *connect.Request[platformv1.GetAppRequest]) (*connect.Response[platformv1.GetAppResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	app, ok, err := reg.GetApp(ctx, req.Msg.GetApp())
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		return nil, errorf(connect.CodeNotFound, "no app %q", req.Msg.GetApp())
	}
	return connect.NewResponse(&platformv1.GetAppResponse{App: appMsg(app)}), nil
}

func (s *storeService) ListReleases(ctx context.Context, req *connect.Request[platformv1.ListReleasesRequest]) (*connect.Response[platformv1.ListReleasesResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	rs, err := reg.ListReleases(ctx, req.Msg.GetApp())
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListReleasesResponse{}
	for _, r := range rs {
		out.Releases = append(out.Releases, releaseMsg(r))
	}
	return connect.NewResponse(out), nil
}

func (s *storeService) GetRelease(ctx context.Context, req *connect.Request[platformv1.GetReleaseRequest]) (*connect.Response[platformv1.GetReleaseResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	r, ok, err := reg.GetRelease(ctx, req.Msg.GetApp(), req.Msg.GetVersion())
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		return nil, errorf(connect.CodeNotFound, "no release %s/%s", req.Msg.GetApp(), req.Msg.GetVersion())
	}
	return connect.NewResponse(&platformv1.GetReleaseResponse{Release: releaseMsg(r)}), nil
}

// maxEvents is the registry's page limit for history.
const maxEvents = 100

func (s *storeService) ListEvents(ctx context.Context, req *connect.Request[platformv1.ListEventsRequest]) (*connect.Response[platformv1.ListEventsResponse], error) {
	reg, err := s.p.registry(ctx, req.Header())
	if err != nil {
		return nil, err
	}
	limit := int(req.Msg.GetLimit())
	if limit <= 0 || limit > maxEvents {
		limit = maxEvents
	}
	events, err := reg.History(ctx, req.Msg.GetSubject(), req.Msg.GetAfterSeq(), limit)
	if err != nil {
		return nil, platformError(err)
	}
	out := &platformv1.ListEventsResponse{}
	for _, e := range events {
		out.Events = append(out.Events, eventMsg(e))
	}
	return connect.NewResponse(out), nil
}
