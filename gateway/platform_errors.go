package gateway

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/textcut"
)

// registryCodes maps the registry's refusals onto Connect codes.
var registryCodes = map[registry.Kind]connect.Code{
	registry.NotFound:           connect.CodeNotFound,
	registry.PermissionDenied:   connect.CodePermissionDenied,
	registry.InvalidArgument:    connect.CodeInvalidArgument,
	registry.AlreadyExists:      connect.CodeAlreadyExists,
	registry.FailedPrecondition: connect.CodeFailedPrecondition,
	registry.QuotaExceeded:      connect.CodeResourceExhausted,
	registry.UpgradePath:        connect.CodeFailedPrecondition,
	registry.Internal:           connect.CodeInternal,
}

// platformError maps a failure of a registry call: the registry's own
// refusals by their kind, with typed details where the kind carries data;
// IC rejects and transport failures as on the personal API.
func platformError(err error) error {
	var re *registry.Error
	if !errors.As(err, &re) {
		return toConnectError(err)
	}
	code, ok := registryCodes[re.Kind]
	if !ok {
		code = connect.CodeInternal
	}
	msg := textcut.Cut(re.Message, maxMessage)
	switch re.Kind {
	case registry.UpgradePath:
		return upgradePathError(re, msg)
	case registry.QuotaExceeded:
		return quotaError(re, msg)
	}
	return connect.NewError(code, errors.New(msg))
}

// upgradePathError names the installed version and those it may go to, in
// the message and in an UpgradePathError detail.
func upgradePathError(re *registry.Error, msg string) *connect.Error {
	allowed := "none"
	if len(re.Allowed) > 0 {
		allowed = strings.Join(re.Allowed, ", ")
	}
	text := fmt.Sprintf("cannot upgrade from %s to %s; this canister may upgrade to: %s", re.Installed, re.Requested, allowed)
	if msg != "" {
		text += " (" + msg + ")"
	}
	ce := connect.NewError(connect.CodeFailedPrecondition, errors.New(text))
	if d, err := connect.NewErrorDetail(&platformv1.UpgradePathError{
		Installed: re.Installed, Requested: re.Requested, Allowed: re.Allowed}); err == nil {
		ce.AddDetail(d)
	}
	return ce
}

// quotaError says which limit refused, with a QuotaFailure detail, and
// when waiting frees it as the rate limiter does (RetryInfo, Retry-After).
func quotaError(re *registry.Error, msg string) *connect.Error {
	text := fmt.Sprintf("quota %s: %s", re.Limit, msg)
	if re.RetryAfter > 0 {
		text += fmt.Sprintf("; retry in %v", re.RetryAfter)
	}
	ce := connect.NewError(connect.CodeResourceExhausted, errors.New(text))
	if d, err := connect.NewErrorDetail(&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{
		{Subject: re.Limit, Description: msg}}}); err == nil {
		ce.AddDetail(d)
	}
	if re.RetryAfter > 0 {
		if d, err := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(re.RetryAfter)}); err == nil {
			ce.AddDetail(d)
		}
		ce.Meta().Set("Retry-After", fmt.Sprint(int(math.Ceil(re.RetryAfter.Seconds()))))
	}
	return ce
}
