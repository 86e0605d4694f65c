package gateway_test

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/client"
)

// TestFleetServiceRefusals: FleetService authenticates as the rest of the
// platform API does, and needs the registry like it (the numbers it
// answers are tested against the page in TestDashboardInBrowser).
func TestFleetServiceRefusals(t *testing.T) {
	e := newPlatformEnv(t)
	bare := platformv1connect.NewFleetServiceClient(h2cClient(), e.url)
	_, err := bare.GetFleetStats(t.Context(), connect.NewRequest(&platformv1.GetFleetStatsRequest{}))
	wantCode(t, "GetFleetStats without a delegation", err, connect.CodeUnauthenticated, "missing header")
	_, err = bare.GetGatewayStatus(t.Context(), connect.NewRequest(&platformv1.GetGatewayStatusRequest{}))
	wantCode(t, "GetGatewayStatus without a delegation", err, connect.CodeUnauthenticated, "missing header")

	user, _ := identity.NewRandomEd25519Identity()
	stats, err := fleetAs(t, e.url, user, []principal.Principal{e.registry}).GetFleetStats(t.Context(), connect.NewRequest(&platformv1.GetFleetStatsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if s := stats.Msg.GetStats(); len(s.GetCanisters()) != 0 || s.GetOperators() != 1 || s.GetReleases().GetReleased() != 0 {
		t.Errorf("a fresh registry's stats: %v; want no canisters, one operator", s)
	}

	r := replicatest.Start(t, replica.Config{})
	none := startPlatformGateway(t, r, principal.Principal{})
	_, err = fleetAs(t, none, user, nil).GetGatewayStatus(t.Context(), connect.NewRequest(&platformv1.GetGatewayStatusRequest{}))
	wantCode(t, "GetGatewayStatus without a registry", err, connect.CodeFailedPrecondition, "--registry")
}

func fleetAs(t *testing.T, url string, user identity.Identity, targets []principal.Principal) platformv1connect.FleetServiceClient {
	t.Helper()
	key, err := client.GatewayKey(t.Context(), h2cClient(), url)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSession(user, key, client.Options{Targets: targets})
	return platformv1connect.NewFleetServiceClient(h2cClient(), url, connect.WithInterceptors(s.Interceptor()))
}
