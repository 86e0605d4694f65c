package adaptertest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/canisters/personal"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	"github.com/canistry/canistry/sdk/adapter"
)

// Run checks a against the personal API v1 on a replica: its manifest,
// the document round trip with paging, prefixes and NotFound, conditional
// writes iff it declares CAPABILITY_CONDITIONAL_WRITES, messaging iff it
// declares CAPABILITY_MESSAGING, and the error codes on the way. Each
// protocol version of cfg.Wasm is checked on fresh canisters in a subtest
// named after it.
func Run(t *testing.T, a adapter.Adapter, cfg Config) {
	t.Helper()
	if !t.Run("manifest", func(t *testing.T) { checkManifest(t, a) }) {
		t.FailNow()
	}
	if cfg.ReadOnly && cfg.Seed == nil {
		t.Fatal("adaptertest: Config.ReadOnly needs Config.Seed to write the documents it reads")
	}
	m := a.Manifest()
	wasm, err := wasmByVersion(m, cfg)
	if err != nil {
		t.Fatalf("adaptertest: %v", err)
	}
	ag, strangerAgent := agents(t, cfg)
	ic := newICService(ag)
	h := startHost(t, a, ic)
	// The stranger's calls go through the same adapter process, with an
	// IcService of the stranger's identity on another broker id, as the
	// gateway serves one per caller.
	stranger := h.withIC(newICService(strangerAgent))
	t.Run("manifest over gRPC", func(t *testing.T) { checkManifestOverGRPC(t, h, m) })
	seeder := h
	if cfg.Seed != nil {
		seeder = startHost(t, cfg.Seed, ic)
	}
	for _, v := range sortedVersions(wasm) {
		t.Run("personal/"+v, func(t *testing.T) {
			canister := installPersonal(t, ag, wasm[v])
			s := &suite{
				c:        h.client(canister, v),
				writer:   seeder.client(canister, v),
				stranger: stranger.client(canister, v),
				manifest: m,
				readOnly: cfg.ReadOnly,
				peer: func(t *testing.T) *client {
					return h.client(installPersonal(t, ag, wasm[v]), v)
				},
				oldPeer: func(t *testing.T) principal.Principal {
					return installPersonal(t, ag, personal.MustWasm("1.0.0"))
				},
			}
			s.run(t)
		})
	}
}

// suite is the checks of one protocol version on one canister.
type suite struct {
	c        *client // the adapter under test
	writer   *client // c, or the Seed adapter for a read-only one
	stranger *client // c with an identity that does not own the canister
	manifest adapter.Manifest
	readOnly bool
	// peer installs another canister of the same version, for messaging.
	peer func(t *testing.T) *client
	// oldPeer installs a canister of personal/1.0.0, which has no messaging.
	oldPeer func(t *testing.T) principal.Principal
}

func (s *suite) has(c adapter.Capability) bool { return slices.Contains(s.manifest.Capabilities, c) }

func (s *suite) run(t *testing.T) {
	t.Run("documents", s.checkDocuments)
	t.Run("listing", s.checkListing)
	t.Run("content types", s.checkContentTypes)
	t.Run("conditional writes", s.checkConditionalWrites)
	t.Run("messaging", s.checkMessaging)
	t.Run("strangers", s.checkStrangers)
}

// ctx bounds one check: an adapter that hangs fails instead of stalling
// the whole test binary.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func checkManifestOverGRPC(t *testing.T, h *host, m adapter.Manifest) {
	got, err := h.manifest.GetManifest(ctx(t), &adapterv1.GetManifestRequest{})
	if err != nil {
		t.Fatalf("GetManifest: %v", err)
	}
	want := &adapterv1.GetManifestResponse{Name: m.Name, Version: m.Version, Protocol: m.Protocol, Constraint: m.Constraint}
	for _, s := range m.Services {
		want.Services = append(want.Services, string(s))
	}
	for _, c := range m.Capabilities {
		want.Capabilities = append(want.Capabilities, string(c))
	}
	if d := cmp.Diff(want.String(), got.String()); d != "" {
		t.Errorf("GetManifest over the plugin connection differs from Manifest() (-want +got):\n%s", d)
	}
}
