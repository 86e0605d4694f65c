package gateway

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

func details(ce *connect.Error) []any {
	var out []any
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func TestPlatformErrorCodes(t *testing.T) {
	for kind, code := range registryCodes {
		err := platformError(fmt.Errorf("wrapped: %w", &registry.Error{Kind: kind, Message: "why"}))
		if connect.CodeOf(err) != code {
			t.Errorf("%s → %s, want %s", kind, connect.CodeOf(err), code)
		}
	}
	rej := &ic.Reject{RejectCode: 2, ErrorCode: "IC0504", Message: "out of cycles"}
	if err := platformError(rej); connect.CodeOf(err) != rej.Code() {
		t.Errorf("an IC reject → %v, want %s as on the personal API", err, rej.Code())
	}
}

func TestPlatformErrorUpgradePath(t *testing.T) {
	var ce *connect.Error
	err := platformError(&registry.Error{Kind: registry.UpgradePath, Installed: "1.0.0", Requested: "4.0.0",
		Allowed: []string{"2.0.0", "3.0.0"}, Message: "4.0.0 admits >=3.0.0"})
	if !errors.As(err, &ce) || ce.Code() != connect.CodeFailedPrecondition ||
		!strings.Contains(ce.Message(), "from 1.0.0 to 4.0.0") || !strings.Contains(ce.Message(), "2.0.0, 3.0.0") {
		t.Fatalf("%v", err)
	}
	d := details(ce)
	if len(d) != 1 {
		t.Fatalf("details %v", d)
	}
	if pe, ok := d[0].(*platformv1.UpgradePathError); !ok || pe.GetInstalled() != "1.0.0" || len(pe.GetAllowed()) != 2 {
		t.Errorf("detail %v", d[0])
	}
}

func TestPlatformErrorQuota(t *testing.T) {
	var ce *connect.Error
	err := platformError(&registry.Error{Kind: registry.QuotaExceeded, Limit: "creations_per_day", Message: "5 a day", RetryAfter: 90 * time.Minute})
	if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted || !strings.Contains(ce.Message(), "creations_per_day") {
		t.Fatalf("%v", err)
	}
	if got := ce.Meta().Get("Retry-After"); got != "5400" {
		t.Errorf("Retry-After %q", got)
	}
	var quota, retry bool
	for _, v := range details(ce) {
		switch v := v.(type) {
		case *errdetails.QuotaFailure:
			quota = len(v.GetViolations()) == 1 && v.GetViolations()[0].GetSubject() == "creations_per_day"
		case *errdetails.RetryInfo:
			retry = v.GetRetryDelay().AsDuration() == 90*time.Minute
		}
	}
	if !quota || !retry {
		t.Errorf("details %v: QuotaFailure %v, RetryInfo %v", details(ce), quota, retry)
	}
	err = platformError(&registry.Error{Kind: registry.QuotaExceeded, Limit: "registry_cycles", Message: "the registry is out of cycles"})
	if errors.As(err, &ce); ce.Meta().Get("Retry-After") != "" || len(ce.Details()) != 1 {
		t.Errorf("a quota waiting does not free has retry advice: %v %v", ce.Meta(), details(ce))
	}
}
