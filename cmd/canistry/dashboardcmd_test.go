package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/ic/delegated"
	sessionv1 "github.com/canistry/canistry/internal/gen/canistry/session/v1"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
)

// keyOnly is a gateway that only tells its key, all dashboard asks for.
type keyOnly struct {
	sessionv1connect.UnimplementedSessionServiceHandler
	key []byte
}

func (k keyOnly) GetGatewayKey(context.Context, *connect.Request[sessionv1.GetGatewayKeyRequest]) (*connect.Response[sessionv1.GetGatewayKeyResponse], error) {
	return connect.NewResponse(&sessionv1.GetGatewayKeyResponse{PublicKey: k.key}), nil
}

func TestDashboardURL(t *testing.T) {
	gw, _ := identity.NewRandomEd25519Identity()
	mux := http.NewServeMux()
	mux.Handle(sessionv1connect.NewSessionServiceHandler(keyOnly{key: gw.PublicKey()}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	pem := filepath.Join(t.TempDir(), "me.pem")
	var out bytes.Buffer
	if code := run([]string{"identity", "new", "--out", pem}, &out, &out); code != 0 {
		t.Fatalf("identity new: %s", out.String())
	}
	me, err := loadIdentity(pem)
	if err != nil {
		t.Fatal(err)
	}
	const registry = "rrkah-fqaaa-aaaaa-aaaaq-cai"
	var stdout, stderr bytes.Buffer
	args := []string{"dashboard", "--gateway", srv.URL, "--registry", registry, "--identity", pem, "--expiry", "2h"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("canistry %v: exit %d: %s", args, code, stderr.String())
	}
	u, err := url.Parse(strings.TrimSpace(stdout.String()))
	if err != nil || u.Scheme+"://"+u.Host != srv.URL || u.Path != "/" || !strings.HasPrefix(u.Fragment, "delegation=") {
		t.Fatalf("printed %q (%v); want %s/#delegation=...", stdout.String(), err, srv.URL)
	}
	chain, err := delegated.ParseHeader(strings.TrimPrefix(u.Fragment, "delegation="))
	if err != nil {
		t.Fatal(err)
	}
	if chain.Sender().String() != me.Sender().String() || !bytes.Equal(chain.SessionKey(), gw.PublicKey()) {
		t.Errorf("the chain goes from %s to %x; want from %s to the gateway's key", chain.Sender(), chain.SessionKey(), me.Sender())
	}
	if left := time.Until(chain.Expiry()); left < 2*time.Hour-time.Minute || left > 2*time.Hour {
		t.Errorf("the chain expires in %s; want --expiry 2h", left)
	}
	targets := chain.Delegations[0].Delegation.Targets
	if len(targets) != 1 || targets[0].String() != registry {
		t.Errorf("targets %v; want the registry only", targets)
	}
}

func TestDashboardUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for name, tc := range map[string]struct {
		args     []string
		code     int
		contains string
	}{
		"expiry too long": {[]string{"dashboard", "--expiry", "200h"}, 2, "over 168h"},
		"expiry zero":     {[]string{"dashboard", "--expiry", "0s"}, 2, "expiry"},
		"extra argument":  {[]string{"dashboard", "now"}, 2, "Usage: canistry dashboard"},
		"no registry":     {[]string{"dashboard", "--gateway", "http://127.0.0.1:1", "--state-dir", "/nonexistent"}, 1, "give --registry"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(tc.args, &out, &out); code != tc.code || !strings.Contains(out.String(), tc.contains) {
				t.Errorf("canistry %v = exit %d:\n%s\nwant exit %d containing %q", tc.args, code, out.String(), tc.code, tc.contains)
			}
		})
	}
}
