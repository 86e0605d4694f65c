package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/canistry/canistry/gateway/dashboard"
	"github.com/canistry/canistry/internal/browsertest"
)

// The panels of services that are not on every gateway (RolloutService,
// CyclesService: issue 13's other branches), tested in headless chromium
// against a stand-in that answers the Connect JSON (protojson names) those
// services are specified with in issue 13; and the page's own refusal
// paths (operators only, signed out). The real gateway's panels are
// tested in gateway's TestDashboardInBrowser.

const token = "dGVzdC1kZWxlZ2F0aW9u" // any header value: the stand-in only compares it

// standIn answers the page's calls as a gateway with every service would;
// each ListRollouts shows one more canister done, as a running rollout.
func standIn(t *testing.T) string {
	t.Helper()
	var rolloutCalls atomic.Int32
	answers := map[string]func() (int, any){
		"PublisherService/ListMyRoles": func() (int, any) {
			return 200, map[string]any{"principal": "2vxsx-fae", "roles": []string{"ROLE_DEVELOPER"}}
		},
		"FleetService/GetFleetStats": func() (int, any) {
			return 200, map[string]any{"stats": map[string]any{"apps": 1, "lowCycles": 1, "canisters": []any{
				map[string]any{"app": "notes", "version": "1.0.0", "state": "CANISTER_STATE_INSTALLED", "count": 9},
				map[string]any{"app": "notes", "version": "1.0.1", "state": "CANISTER_STATE_UPGRADING", "count": 1},
			}}}
		},
		"FleetService/GetGatewayStatus": func() (int, any) {
			return 403, map[string]any{"code": "permission_denied", "message": "operators only, in this stand-in"}
		},
		"RolloutService/ListRollouts": func() (int, any) {
			done := min(int(rolloutCalls.Add(1)), 8)
			return 200, map[string]any{"rollouts": []any{map[string]any{
				"id": "7", "app": "notes", "version": "1.0.1", "state": "ROLLOUT_STATE_RUNNING",
				"canaryPercent": 10, "batchSize": 2, "total": 10, "done": done, "failed": 1, "pending": 9 - done,
				"failures": []any{map[string]any{"canisterId": "ryjl3-tyaaa-aaaaa-aaaba-cai",
					"state": "UPGRADE_STATE_ROLLED_BACK", "reason": "health check answered notes/1.0.0"}},
			}}}
		},
		"CyclesService/ListLowCycles": func() (int, any) {
			return 200, map[string]any{"canisters": []any{map[string]any{
				"canisterId": "rrkah-fqaaa-aaaaa-aaaaq-cai", "app": "notes", "version": "1.0.0",
				"balance": "1500000000000", "burnPerDay": "100000000000", "runwaySeconds": "1296000",
				"low": true, "ownerOutOfCredit": true,
			}}}
		},
		"InstallService/ListMyCanisters": func() (int, any) {
			return 200, map[string]any{"canisters": []any{map[string]any{
				"canisterId": "rrkah-fqaaa-aaaaa-aaaaq-cai", "app": "notes", "version": "1.0.0",
				"state": "CANISTER_STATE_INSTALLED", "upgradeAvailable": "1.0.1",
				"upgradePolicy": map[string]any{"kind": "UPGRADE_POLICY_KIND_CHANNEL", "channel": "stable"},
			}}}
		},
		"CyclesService/GetCredit": func() (int, any) {
			return 200, map[string]any{"credit": map[string]any{"balance": "0", "charged": "2000000000000",
				"warnings": []string{"your cycles credit is exhausted: 1 canister is not topped up"},
				"unfunded": []any{map[string]any{"canisterId": "rrkah-fqaaa-aaaaa-aaaaq-cai"}}}}
		},
		"StoreService/ListApps":   func() (int, any) { return 200, map[string]any{"apps": []any{map[string]any{"id": "notes"}}} },
		"StoreService/ListEvents": func() (int, any) { return 200, map[string]any{} },
	}
	mux := http.NewServeMux()
	mux.Handle("/", dashboard.Handler())
	for path, answer := range answers {
		mux.HandleFunc("POST /canistry.platform.v1."+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Header.Get("Connect-Protocol-Version") != "1" || r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(415)
				fmt.Fprint(w, `{"code":"invalid_argument","message":"not Connect JSON"}`)
				return
			}
			if r.Header.Get("Canistry-Delegation") != token {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"code":"unauthenticated","message":"the delegation expired"}`)
				return
			}
			code, body := answer()
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(body)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func wait(t *testing.T, tab context.Context, what, js string) {
	t.Helper()
	if err := browsertest.Wait(tab, js, 15*time.Second); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func TestContractPanels(t *testing.T) {
	tab := browsertest.Tab(t, 40*time.Second)
	url := standIn(t)
	browsertest.Open(t, tab, url+"/#delegation="+token)
	wait(t, tab, "the first poll", `document.body.dataset.polls >= 1`)

	// A running rollout: its bar moves from one poll to the next.
	rollout := `(li => li ? {state: li.dataset.state, finished: Number(li.dataset.finished), total: Number(li.dataset.total),
		bar: document.querySelector('#rollouts progress').value, failures: li.querySelectorAll('.failures li').length} : null)(document.querySelector('#rollouts li.rollout'))`
	type progress struct {
		State    string `json:"state"`
		Finished int    `json:"finished"`
		Total    int    `json:"total"`
		Bar      int    `json:"bar"`
		Failures int    `json:"failures"`
	}
	first := browsertest.Eval[progress](t, tab, rollout)
	if first.State != "running" || first.Total != 10 || first.Bar != first.Finished || first.Failures != 1 {
		t.Errorf("the rollout shows %+v; want running, of 10, the bar at done+rolled_back+failed, one failure", first)
	}
	wait(t, tab, "the rollout's bar to move", fmt.Sprintf(`document.querySelector('#rollouts progress').value > %d`, first.Bar))

	// A low-cycles canister with its runway, its owner out of credit.
	type low struct {
		Canister string `json:"canister"`
		Runway   string `json:"runway"`
		Text     string `json:"text"`
	}
	lows := browsertest.Eval[[]low](t, tab, `[...document.querySelectorAll('#low-cycles tr.low')].map(r => ({canister: r.dataset.canister, runway: r.dataset.runway, text: r.textContent}))`)
	if len(lows) != 1 || lows[0].Canister != "rrkah-fqaaa-aaaaa-aaaaq-cai" || lows[0].Runway != "1296000" ||
		!strings.Contains(lows[0].Text, "15d 0h") || !strings.Contains(lows[0].Text, "owner out of credit") || !strings.Contains(lows[0].Text, "1.50 T") {
		t.Errorf("low on cycles: %+v", lows)
	}
	if n := browsertest.Eval[string](t, tab, `document.getElementById('fleet-low-cycles').dataset.count`); n != "1" {
		t.Errorf("#fleet-low-cycles = %s; want the stats' lowCycles 1", n)
	}

	// Upgrading canisters count in their version's bar.
	bars := browsertest.Eval[string](t, tab, `[...document.querySelectorAll('#fleet-chart g.bar')].map(g => g.dataset.version + '=' + g.dataset.count).join(' ')`)
	if bars != "1.0.0=9 1.0.1=1" {
		t.Errorf("the chart: %q", bars)
	}
	if p := browsertest.Eval[string](t, tab, `document.querySelector('#my-canisters tr.canister').dataset.policy`); p != "channel:stable" {
		t.Errorf("the owner's policy shows %q; want channel:stable", p)
	}
	// The owner out of credit is told so.
	if w := browsertest.Eval[string](t, tab, `document.getElementById('my-credit').textContent + ' | ' + document.getElementById('my-credit-warnings').textContent`); w !=
		"cycles credit 0 · charged 2.00 T · 1 canister(s) unfunded | your cycles credit is exhausted: 1 canister is not topped up" {
		t.Errorf("the owner's credit: %q", w)
	}
	// permission_denied: the panel says it is for operators.
	if s := browsertest.Eval[string](t, tab, `(p => p.dataset.state + ': ' + p.querySelector('.note').textContent)(document.getElementById('panel-adapters'))`); s != "forbidden: operators only" {
		t.Errorf("the adapters panel on permission_denied: %q", s)
	}

	browsertest.Screenshot(t, tab, "dashboard-contract.png")

	// A delegation the gateway refuses: the page signs out and says why.
	other, cancel := chromedp.NewContext(tab)
	defer cancel()
	browsertest.Open(t, other, url+"/#delegation=c3RhbGU")
	wait(t, other, "the sign-in box", `!document.getElementById('signin').hidden`)
	why := browsertest.Eval[string](t, other, `document.getElementById('signin-reason').textContent + ' | ' + String(sessionStorage.getItem('canistry-delegation'))`)
	if why != "The gateway refused the delegation: the delegation expired | null" {
		t.Errorf("signed out: %q; want the gateway's reason and no stored delegation", why)
	}
}
