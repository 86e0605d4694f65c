package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/client"
)

// platformEnv is a replica with the registry canister installed by op (its
// first operator) and a gateway serving the platform API over it.
type platformEnv struct {
	replica  *replicatest.Replica
	op       identity.Identity
	registry principal.Principal
	url      string
}

// registryCycles is what the test registry holds to pay for installs.
const registryCycles = 1_000_000_000_000_000

func newPlatformEnv(t *testing.T) *platformEnv {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	op, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, op)
	id, err := replicatest.CreateWith(a, registryCycles)
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.Install(t.Context(), a, id, registry.Init{}); err != nil {
		t.Fatal(err)
	}
	return &platformEnv{replica: r, op: op, registry: id, url: startPlatformGateway(t, r, id)}
}

// startPlatformGateway serves a gateway without adapters over the
// registry reg (no Raw: none).
func startPlatformGateway(t *testing.T, r *replicatest.Replica, reg principal.Principal) string {
	t.Helper()
	gw, _ := identity.NewRandomEd25519Identity()
	pool, err := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pool.For(gw)
	h, err := host.Start(context.Background(), host.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g, err := gateway.New(gateway.Config{Host: h, IC: c, Users: delegated.NewSender(c, gw), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, g)
}

// platformClients are the three services as one user.
type platformClients struct {
	store     platformv1connect.StoreServiceClient
	install   platformv1connect.InstallServiceClient
	publisher platformv1connect.PublisherServiceClient
}

// as is the platform API as user, delegating towards targets (nil: every
// canister).
func platformAs(t *testing.T, url string, user identity.Identity, targets []principal.Principal) platformClients {
	t.Helper()
	key, err := client.GatewayKey(t.Context(), h2cClient(), url)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSession(user, key, client.Options{Targets: targets})
	opt := connect.WithInterceptors(s.Interceptor())
	return platformClients{
		store:     platformv1connect.NewStoreServiceClient(h2cClient(), url, opt),
		install:   platformv1connect.NewInstallServiceClient(h2cClient(), url, opt),
		publisher: platformv1connect.NewPublisherServiceClient(h2cClient(), url, opt),
	}
}

func (e *platformEnv) as(t *testing.T, user identity.Identity) platformClients {
	return platformAs(t, e.url, user, []principal.Principal{e.registry})
}

func wantCode(t *testing.T, what string, err error, code connect.Code, contains string) {
	t.Helper()
	if connect.CodeOf(err) != code || !strings.Contains(err.Error(), contains) {
		t.Fatalf("%s: %v; want %s containing %q", what, err, code, contains)
	}
}

func TestPlatformWithoutRegistry(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	url := startPlatformGateway(t, r, principal.Principal{})
	user, _ := identity.NewRandomEd25519Identity()
	_, err := platformAs(t, url, user, nil).store.ListApps(t.Context(), connect.NewRequest(&platformv1.ListAppsRequest{}))
	wantCode(t, "ListApps", err, connect.CodeFailedPrecondition, "--registry")
}

func TestPlatformRefusesAnotherProtocol(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	op, _ := identity.NewRandomEd25519Identity()
	notRegistry, err := personal.CreateRelease(t.Context(), r.Agent(t, op), "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	url := startPlatformGateway(t, r, notRegistry)
	_, err = platformAs(t, url, op, nil).store.ListApps(t.Context(), connect.NewRequest(&platformv1.ListAppsRequest{}))
	wantCode(t, "ListApps over a personal canister", err, connect.CodeUnimplemented, "speaks personal/1.0.0; this gateway speaks registry/1.x")
}

func TestPlatformAuthentication(t *testing.T) {
	e := newPlatformEnv(t)
	other := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	_, err := platformAs(t, e.url, e.op, []principal.Principal{other}).store.ListApps(t.Context(), connect.NewRequest(&platformv1.ListAppsRequest{}))
	wantCode(t, "a delegation without the registry among its targets", err, connect.CodePermissionDenied, "not among the delegation's targets")

	bare := platformv1connect.NewStoreServiceClient(h2cClient(), e.url)
	_, err = bare.ListApps(t.Context(), connect.NewRequest(&platformv1.ListAppsRequest{}))
	wantCode(t, "no delegation", err, connect.CodeUnauthenticated, "missing header")

	resp, err := e.as(t, e.op).publisher.ListMyRoles(t.Context(), connect.NewRequest(&platformv1.ListMyRolesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Msg.GetPrincipal() != e.op.Sender().String() || len(resp.Msg.GetRoles()) != 1 || resp.Msg.GetRoles()[0] != platformv1.Role_ROLE_OPERATOR {
		t.Errorf("the installer's roles: %v", resp.Msg)
	}
}

// upload streams module as release app/version (protocol
// personal/<version>) through the gateway.
func upload(ctx context.Context, p platformClients, app, version, upgradeFrom string, module []byte) (*platformv1.Release, error) {
	return uploadAs(ctx, p, app, version, "personal/"+version, upgradeFrom, module)
}

func uploadAs(ctx context.Context, p platformClients, app, version, protocol, upgradeFrom string, module []byte) (*platformv1.Release, error) {
	rel := registry.NewRelease{}
	chunks, err := registry.Chunk(module, &rel)
	if err != nil {
		return nil, err
	}
	stream := p.publisher.UploadRelease(ctx)
	msgs := []*platformv1.UploadReleaseRequest{{Part: &platformv1.UploadReleaseRequest_Header{Header: &platformv1.ReleaseHeader{
		App: app, Version: version, Protocol: protocol, UpgradeFrom: upgradeFrom, EnhancedPersistence: true,
		Sha256: rel.SHA256, Size: rel.Size, ChunkHashes: rel.ChunkHashes}}}}
	for _, c := range chunks {
		msgs = append(msgs, &platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Chunk{Chunk: c}})
	}
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			break // CloseAndReceive has the gateway's reason
		}
	}
	resp, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetRelease(), nil
}

func TestPlatformUploadBounds(t *testing.T) {
	e := newPlatformEnv(t)
	p := e.as(t, e.op)
	ctx := t.Context()
	send := func(msgs ...*platformv1.UploadReleaseRequest) error {
		stream := p.publisher.UploadRelease(ctx)
		for _, m := range msgs {
			if stream.Send(m) != nil {
				break
			}
		}
		_, err := stream.CloseAndReceive()
		return err
	}
	chunk := func(n int) *platformv1.UploadReleaseRequest {
		return &platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Chunk{Chunk: make([]byte, n)}}
	}
	header := func(size uint64, hashes int) *platformv1.UploadReleaseRequest {
		return &platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Header{Header: &platformv1.ReleaseHeader{
			App: "app", Version: "1.0.0", Protocol: "personal/1.0.0", Size: size, Sha256: make([]byte, 32), ChunkHashes: zeroHashes(hashes)}}}
	}
	wantCode(t, "chunk first", send(chunk(10)), connect.CodeInvalidArgument, "first message must be the release header")
	wantCode(t, "empty stream", send(), connect.CodeInvalidArgument, "send the release header first")
	wantCode(t, "11 MiB", send(header(11<<20, 11)), connect.CodeInvalidArgument, "10 MiB")
	wantCode(t, "too few hashes", send(header(3<<20, 2)), connect.CodeInvalidArgument, "2 chunk hashes for 3145728 bytes")

	// With a draft the registry takes, the chunks are checked on the way.
	if _, err := p.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: platformv1.Role_ROLE_DEVELOPER, Principal: e.op.Sender().String()})); err != nil {
		t.Fatal(err)
	}
	if _, err := p.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "app", Name: "App"})); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a chunk over 1 MiB", send(header(2<<20, 2), chunk(1<<20+1)), connect.CodeInvalidArgument, "chunk 0 is 1048577 bytes; at most 1048576")
	r, err := p.store.GetRelease(ctx, connect.NewRequest(&platformv1.GetReleaseRequest{App: "app", Version: "1.0.0"}))
	if err != nil || r.Msg.GetRelease().GetChunksReceived() != 0 || r.Msg.GetRelease().GetState() != platformv1.ReleaseState_RELEASE_STATE_DRAFT {
		t.Errorf("the draft after a refused chunk: %v %v", r, err)
	}
}

func zeroHashes(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, 32)
	}
	return out
}

func TestPlatformEndToEnd(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := t.Context()
	devID, _ := identity.NewRandomEd25519Identity()
	audID, _ := identity.NewRandomEd25519Identity()
	userID, _ := identity.NewRandomEd25519Identity()
	strangerID, _ := identity.NewRandomEd25519Identity()
	op, dev, aud, user, stranger := e.as(t, e.op), e.as(t, devID), e.as(t, audID), e.as(t, userID), e.as(t, strangerID)

	grant := func(r platformv1.Role, who identity.Identity) {
		t.Helper()
		if _, err := op.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: r, Principal: who.Sender().String()})); err != nil {
			t.Fatalf("grant %s: %v", r, err)
		}
	}
	_, err := dev.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "personal", Name: "Personal"}))
	wantCode(t, "CreateApp by a stranger", err, connect.CodePermissionDenied, "")
	grant(platformv1.Role_ROLE_DEVELOPER, devID)
	grant(platformv1.Role_ROLE_AUDITOR, audID)
	if _, err := dev.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "personal", Name: "Personal"})); err != nil {
		t.Fatal(err)
	}
	apps, err := user.store.ListApps(ctx, connect.NewRequest(&platformv1.ListAppsRequest{}))
	if err != nil || len(apps.Msg.GetApps()) != 1 || apps.Msg.GetApps()[0].GetDevelopers()[0] != devID.Sender().String() {
		t.Fatalf("ListApps: %v %v", apps, err)
	}
	_, err = upload(ctx, stranger, "personal", "1.0.0", "", personal.MustWasm("1.0.0"))
	wantCode(t, "a non-developer uploading", err, connect.CodePermissionDenied, "")

	for v, from := range map[string]string{"1.0.0": "", "3.0.0": ">=1.0.0 <3.0.0"} {
		r, err := upload(ctx, dev, "personal", v, from, personal.MustWasm(v))
		if err != nil {
			t.Fatalf("upload %s: %v", v, err)
		}
		if r.GetState() != platformv1.ReleaseState_RELEASE_STATE_DRAFT || r.GetChunksReceived() != r.GetChunkCount() {
			t.Fatalf("uploaded %s: %v", v, r)
		}
		if _, err := dev.publisher.SubmitRelease(ctx, connect.NewRequest(&platformv1.SubmitReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
		_, err = dev.publisher.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: "personal", Version: v}))
		wantCode(t, "approval by the uploader", err, connect.CodePermissionDenied, "")
		if _, err := aud.publisher.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
		if _, err := dev.publisher.PublishRelease(ctx, connect.NewRequest(&platformv1.PublishReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
	}

	inst, err := user.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: "personal", Version: "1.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	can := inst.Msg.GetCanister()
	if can.GetOwner() != userID.Sender().String() || can.GetVersion() != "1.0.0" {
		t.Fatalf("installed: %v", can)
	}
	mine, err := user.install.ListMyCanisters(ctx, connect.NewRequest(&platformv1.ListMyCanistersRequest{}))
	if err != nil || len(mine.Msg.GetCanisters()) != 1 || mine.Msg.GetCanisters()[0].GetUpgradeAvailable() != "3.0.0" {
		t.Fatalf("ListMyCanisters: %v %v; want one canister with 3.0.0 available", mine, err)
	}

	_, err = stranger.install.Upgrade(ctx, connect.NewRequest(&platformv1.UpgradeRequest{CanisterId: can.GetCanisterId(), Version: "3.0.0"}))
	wantCode(t, "upgrading someone else's canister", err, connect.CodePermissionDenied, "")

	up, err := user.install.Upgrade(ctx, connect.NewRequest(&platformv1.UpgradeRequest{CanisterId: can.GetCanisterId(), Version: "3.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	states := watch(t, user, up.Msg.GetUpgrade().GetId())
	if states[len(states)-1] != platformv1.UpgradeState_UPGRADE_STATE_DONE {
		t.Fatalf("the upgrade's steps: %v; want it to end done", states)
	}
	for _, want := range []platformv1.UpgradeState{platformv1.UpgradeState_UPGRADE_STATE_SNAPSHOTTING, platformv1.UpgradeState_UPGRADE_STATE_CHECKING} {
		if !containsState(states, want) {
			t.Errorf("the upgrade's steps %v lack %s", states, want)
		}
	}
	got, err := user.install.GetCanister(ctx, connect.NewRequest(&platformv1.GetCanisterRequest{CanisterId: can.GetCanisterId()}))
	if err != nil || got.Msg.GetCanister().GetVersion() != "3.0.0" || got.Msg.GetCanister().GetUpgradeAvailable() != "" {
		t.Fatalf("after the upgrade: %v %v", got, err)
	}

	// A quota: one canister per user, and the user has one.
	q, err := op.publisher.GetQuotas(ctx, connect.NewRequest(&platformv1.GetQuotasRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	one := q.Msg.GetQuotas()
	one.CanistersPerUser = 1
	if _, err := op.publisher.SetQuotas(ctx, connect.NewRequest(&platformv1.SetQuotasRequest{Quotas: one})); err != nil {
		t.Fatal(err)
	}
	_, err = user.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: "personal"}))
	wantCode(t, "an install over quota", err, connect.CodeResourceExhausted, "canisters_per_user")

	// Back to 1.0.0 is not a path 1.0.0's upgrade_from ("") admits.
	_, err = user.install.Upgrade(ctx, connect.NewRequest(&platformv1.UpgradeRequest{CanisterId: can.GetCanisterId(), Version: "1.0.0"}))
	wantCode(t, "a downgrade", err, connect.CodeFailedPrecondition, "3.0.0")
	var ce *connect.Error
	if errors.As(err, &ce) {
		found := false
		for _, d := range ce.Details() {
			if m, derr := d.Value(); derr == nil {
				if pe, ok := m.(*platformv1.UpgradePathError); ok && pe.GetInstalled() == "3.0.0" && pe.GetRequested() == "1.0.0" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("a refused upgrade path has no UpgradePathError detail: %v", ce.Details())
		}
	}
}

// watch streams an upgrade's steps until the gateway ends the stream and
// returns their states.
func watch(t *testing.T, p platformClients, id uint64) []platformv1.UpgradeState {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	stream, err := p.install.WatchUpgrade(ctx, connect.NewRequest(&platformv1.WatchUpgradeRequest{UpgradeId: id}))
	if err != nil {
		t.Fatal(err)
	}
	var states []platformv1.UpgradeState
	var last *platformv1.WatchUpgradeResponse
	for stream.Receive() {
		last = stream.Msg()
		states = append(states, last.GetStep().GetState())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("WatchUpgrade after %v: %v", states, err)
	}
	if last == nil || last.GetState() != states[len(states)-1] {
		t.Fatalf("the last message's state is not its step's: %v", last)
	}
	return states
}

func containsState(states []platformv1.UpgradeState, s platformv1.UpgradeState) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// TestPlatformWatchUpgradeIsLive watches an upgrade whose health check
// waits for the test (canisters/test/gated): the stream delivers the
// checking step while the upgrade runs, then the rest once the gate opens.
func TestPlatformWatchUpgradeIsLive(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := t.Context()
	op := e.as(t, e.op)
	if _, err := op.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: platformv1.Role_ROLE_DEVELOPER, Principal: e.op.Sender().String()})); err != nil {
		t.Fatal(err)
	}
	if _, err := op.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "gated", Name: "Gated"})); err != nil {
		t.Fatal(err)
	}
	audID, _ := identity.NewRandomEd25519Identity()
	if _, err := op.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: platformv1.Role_ROLE_AUDITOR, Principal: audID.Sender().String()})); err != nil {
		t.Fatal(err)
	}
	aud := e.as(t, audID)
	gated := canisters.MustWasm("test/gated/canister.wasm")
	for v, from := range map[string]string{"1.0.0": "", "1.0.1": "^1.0.0"} {
		if _, err := uploadAs(ctx, op, "gated", v, "gated/1.0.0", from, gated); err != nil {
			t.Fatalf("upload %s: %v", v, err)
		}
		if _, err := op.publisher.SubmitRelease(ctx, connect.NewRequest(&platformv1.SubmitReleaseRequest{App: "gated", Version: v})); err != nil {
			t.Fatal(err)
		}
		if _, err := aud.publisher.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: "gated", Version: v})); err != nil {
			t.Fatal(err)
		}
		if _, err := op.publisher.PublishRelease(ctx, connect.NewRequest(&platformv1.PublishReleaseRequest{App: "gated", Version: v})); err != nil {
			t.Fatal(err)
		}
	}
	userID, _ := identity.NewRandomEd25519Identity()
	user := e.as(t, userID)
	inst, err := user.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: "gated", Version: "1.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	cid := inst.Msg.GetCanister().GetCanisterId()
	up, err := user.install.Upgrade(ctx, connect.NewRequest(&platformv1.UpgradeRequest{CanisterId: cid, Version: "1.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stream, err := user.install.WatchUpgrade(wctx, connect.NewRequest(&platformv1.WatchUpgradeRequest{UpgradeId: up.Msg.GetUpgrade().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var states []platformv1.UpgradeState
	for stream.Receive() {
		states = append(states, stream.Msg().GetStep().GetState())
		if stream.Msg().GetStep().GetState() == platformv1.UpgradeState_UPGRADE_STATE_CHECKING {
			break
		}
	}
	if !containsState(states, platformv1.UpgradeState_UPGRADE_STATE_CHECKING) {
		t.Fatalf("the stream ended (%v) before the checking step: %v", stream.Err(), states)
	}
	// The health check is still waiting: the stream has told the state
	// of a running upgrade, not replayed a finished one.
	if st := stream.Msg().GetState(); st != platformv1.UpgradeState_UPGRADE_STATE_CHECKING {
		t.Fatalf("the checking step came with the upgrade's state %s; want it still checking", st)
	}
	if err := e.replica.Agent(t, userID).Call(principal.MustDecode(cid), "open_gate", []any{}, []any{}); err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
		states = append(states, stream.Msg().GetStep().GetState())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("after %v: %v", states, err)
	}
	if states[len(states)-1] != platformv1.UpgradeState_UPGRADE_STATE_DONE {
		t.Errorf("steps %v; want them to end done", states)
	}
}

// TestPlatformUploadResumes: an upload cut short leaves a draft with the
// chunks that arrived; the same upload again sends only the rest; another
// module under that version is refused.
func TestPlatformUploadResumes(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := t.Context()
	p := e.as(t, e.op)
	if _, err := p.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: platformv1.Role_ROLE_DEVELOPER, Principal: e.op.Sender().String()})); err != nil {
		t.Fatal(err)
	}
	if _, err := p.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "big", Name: "Big"})); err != nil {
		t.Fatal(err)
	}
	module := bytes.Repeat([]byte("a module of two chunks "), (3<<19)/23) // ~1.5 MiB
	rel := registry.NewRelease{}
	chunks, err := registry.Chunk(module, &rel)
	if err != nil || len(chunks) != 2 {
		t.Fatalf("%d chunks, %v", len(chunks), err)
	}
	stream := p.publisher.UploadRelease(ctx)
	_ = stream.Send(&platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Header{Header: &platformv1.ReleaseHeader{
		App: "big", Version: "1.0.0", Protocol: "big/1.0.0", Sha256: rel.SHA256, Size: rel.Size, ChunkHashes: rel.ChunkHashes}}})
	_ = stream.Send(&platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Chunk{Chunk: chunks[0]}})
	_, err = stream.CloseAndReceive()
	wantCode(t, "a stream cut after one chunk", err, connect.CodeInvalidArgument, "ended after 1 of 2 chunks")
	got, err := p.store.GetRelease(ctx, connect.NewRequest(&platformv1.GetReleaseRequest{App: "big", Version: "1.0.0"}))
	if err != nil || got.Msg.GetRelease().GetChunksReceived() != 1 {
		t.Fatalf("the draft after the cut: %v %v", got, err)
	}
	r, err := uploadAs(ctx, p, "big", "1.0.0", "big/1.0.0", "", module)
	if err != nil || r.GetChunksReceived() != 2 || r.GetState() != platformv1.ReleaseState_RELEASE_STATE_DRAFT {
		t.Fatalf("the resumed upload: %v %v", r, err)
	}
	_, err = uploadAs(ctx, p, "big", "1.0.0", "big/1.0.0", "", append([]byte("another "), module...))
	wantCode(t, "another module under the same version", err, connect.CodeAlreadyExists, "")
}
