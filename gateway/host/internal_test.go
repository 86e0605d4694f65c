package host

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

func TestOverlap(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b string
		want string // "" = no overlap
	}{
		"disjoint majors":  {">= 1.0, < 2.0", ">= 2.0, < 3.0", ""},
		"shared minor":     {">= 2.0, < 3.0", ">= 2.5, < 2.7", "2.5.0"},
		"open ended":       {">= 3.0", ">= 1.0, < 2.0", ""},
		"open both":        {">= 3.0", ">= 4.1", "4.1.0"},
		"strict bound":     {"> 2.0, < 3.0", ">= 1.0, <= 2.0", ""},
		"strict and point": {"> 2.0", "= 2.0.1", "2.0.1"},
		"pessimistic":      {"~> 1.4", ">= 1.9, < 3.0", "1.9.0"},
		"no lower bound":   {"< 1.0", "< 0.5", "0.0.0"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := validateManifest(&adapterv1.GetManifestResponse{Name: "a", Version: "1.0.0", Protocol: "p", Constraint: tc.a, Services: knownServices})
			if err != nil {
				t.Fatal(err)
			}
			b, err := validateManifest(&adapterv1.GetManifestResponse{Name: "b", Version: "1.0.0", Protocol: "p", Constraint: tc.b, Services: knownServices})
			if err != nil {
				t.Fatal(err)
			}
			v, ok := overlap(a, b)
			got := ""
			if ok {
				got = v.String()
			}
			if got != tc.want {
				t.Errorf("overlap(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestValidateManifest(t *testing.T) {
	t.Parallel()
	good := func() *adapterv1.GetManifestResponse {
		return &adapterv1.GetManifestResponse{Name: "x", Version: "1.2.3", Protocol: "personal", Constraint: ">= 1.0",
			Services: knownServices, Capabilities: []string{"CAPABILITY_DOCUMENTS"}}
	}
	tests := map[string]func(*adapterv1.GetManifestResponse){
		"no name":             func(m *adapterv1.GetManifestResponse) { m.Name = "" },
		"bad version":         func(m *adapterv1.GetManifestResponse) { m.Version = "one" },
		"protocol with slash": func(m *adapterv1.GetManifestResponse) { m.Protocol = "personal/1.0.0" },
		"bad constraint":      func(m *adapterv1.GetManifestResponse) { m.Constraint = "around 2" },
		"no services":         func(m *adapterv1.GetManifestResponse) { m.Services = nil },
		"unknown capability":  func(m *adapterv1.GetManifestResponse) { m.Capabilities = []string{"CAPABILITY_FLYING"} },
		"unspecified":         func(m *adapterv1.GetManifestResponse) { m.Capabilities = []string{"CAPABILITY_UNSPECIFIED"} },
	}
	if _, err := validateManifest(good()); err != nil {
		t.Fatalf("good manifest refused: %v", err)
	}
	for name, spoil := range tests {
		m := good()
		spoil(m)
		if _, err := validateManifest(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// recordingIC answers every call and records which canister it was for.
type recordingIC struct{ canisters []string }

func (r *recordingIC) Query(_ context.Context, c principal.Principal, _ string, _ []byte) ([]byte, error) {
	r.canisters = append(r.canisters, c.String())
	return []byte("DIDL\x00\x00"), nil
}

func (r *recordingIC) Call(ctx context.Context, c principal.Principal, m string, a []byte) ([]byte, error) {
	return r.Query(ctx, c, m, a)
}

// granted is an IcService with a token for a scope of one canister whose
// IC is ic.
func granted(t *testing.T, ic IC) (*icService, *Scope, string) {
	t.Helper()
	svc := &icService{tokens: &tokens{}}
	scope := &Scope{Canister: principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai"), IC: ic}
	tok, err := svc.tokens.grant(scope)
	if err != nil {
		t.Fatal(err)
	}
	return svc, scope, tok
}

// TestTokens: a token reaches exactly its scope's canister, and nothing
// once revoked.
func TestTokens(t *testing.T) {
	t.Parallel()
	rec := &recordingIC{}
	svc, _, tok := granted(t, rec)
	toks := svc.tokens
	ctx := context.Background()
	if _, err := svc.Query(ctx, &adapterv1.QueryRequest{Token: tok, Method: "get"}); err != nil {
		t.Fatalf("Query with a live token: %v", err)
	}
	if _, err := svc.Call(ctx, &adapterv1.CallRequest{Token: tok, Method: "put"}); err != nil {
		t.Fatalf("Call with a live token: %v", err)
	}
	if len(rec.canisters) != 2 || rec.canisters[0] != "rrkah-fqaaa-aaaaa-aaaaq-cai" {
		t.Errorf("calls went to %v", rec.canisters)
	}
	toks.revoke(tok)
	for name, err := range map[string]error{
		"revoked query": func() error { _, err := svc.Query(ctx, &adapterv1.QueryRequest{Token: tok}); return err }(),
		"revoked call":  func() error { _, err := svc.Call(ctx, &adapterv1.CallRequest{Token: tok}); return err }(),
		"forged":        func() error { _, err := svc.Query(ctx, &adapterv1.QueryRequest{Token: "00"}); return err }(),
	} {
		if status.Code(err) != codes.PermissionDenied {
			t.Errorf("%s: %v; want PermissionDenied", name, err)
		}
	}
	if len(rec.canisters) != 2 {
		t.Errorf("a refused token reached the IC: %v", rec.canisters)
	}
}

// earlyIC hands over every update's reply at once; its check ends when
// the test sends the verdict.
type earlyIC struct {
	recordingIC
	verdict chan error
	queried chan struct{}
}

func (e *earlyIC) CallEarly(_ context.Context, c principal.Principal, _ string, _ []byte) ([]byte, func() error, error) {
	done := make(chan error, 1)
	go func() { done <- <-e.verdict }()
	var once sync.Once
	var err error
	return []byte("DIDL\x00\x00"), func() error { once.Do(func() { err = <-done }); return err }, nil
}

func (e *earlyIC) Query(ctx context.Context, c principal.Principal, m string, a []byte) ([]byte, error) {
	close(e.queried)
	return e.recordingIC.Query(ctx, c, m, a)
}

// TestEarlyReplyHoldsTheNextCall: a reply handed over before its check
// reaches the adapter at once, but the request's next IC call waits for
// the check: when the check fails it is refused (unavailable) without
// reaching the IC, whenever it was made; the scope keeps the failure for
// the adapter's answer.
func TestEarlyReplyHoldsTheNextCall(t *testing.T) {
	t.Parallel()
	ic := &earlyIC{verdict: make(chan error), queried: make(chan struct{})}
	svc, scope, tok := granted(t, ic)
	ctx := context.Background()
	if _, err := svc.Call(ctx, &adapterv1.CallRequest{Token: tok, Method: "put"}); err != nil {
		t.Fatalf("Call: %v", err)
	}
	next := make(chan error, 1)
	go func() {
		_, err := svc.Query(ctx, &adapterv1.QueryRequest{Token: tok, Method: "get"})
		next <- err
	}()
	forged := errors.New("certificate signature does not verify")
	ic.verdict <- forged
	if err := <-next; status.Code(err) != codes.Unavailable {
		t.Errorf("next call after a failed check: %v, want Unavailable", err)
	}
	select {
	case <-ic.queried:
		t.Error("the next call reached the IC after the check failed")
	default:
	}
	if err := scope.checks.settle(); !errors.Is(err, forged) {
		t.Errorf("settle = %v, want the check's failure", err)
	}
}
