package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// Kind is the arm of the registry's Candid Error.
type Kind string

// The kinds of refusal the registry answers with.
const (
	NotFound           Kind = "not_found"
	PermissionDenied   Kind = "permission_denied"
	InvalidArgument    Kind = "invalid_argument"
	AlreadyExists      Kind = "already_exists"
	FailedPrecondition Kind = "failed_precondition"
	QuotaExceeded      Kind = "quota_exceeded"
	UpgradePath        Kind = "upgrade_path"
	Internal           Kind = "internal"
)

// Error is a refusal by the registry (the err arm of a result). Transport
// failures and IC rejects are other errors.
type Error struct {
	Kind    Kind
	Message string
	// QuotaExceeded: which limit ("canisters_per_user", "creations_per_day",
	// "creations_per_hour", "registry_cycles") and when it frees (0: not by
	// waiting).
	Limit      string
	RetryAfter time.Duration
	// UpgradePath: the installed version, the one asked for, and the
	// versions it may go to.
	Installed, Requested string
	Allowed              []string
}

func (e *Error) Error() string {
	switch e.Kind {
	case QuotaExceeded:
		return fmt.Sprintf("registry: %s (%s, retry after %s): %s", e.Kind, e.Limit, e.RetryAfter, e.Message)
	case UpgradePath:
		return fmt.Sprintf("registry: %s %s → %s (allowed: %s): %s", e.Kind, e.Installed, e.Requested, strings.Join(e.Allowed, ", "), e.Message)
	}
	return fmt.Sprintf("registry: %s: %s", e.Kind, e.Message)
}

// IsKind reports whether err is (or wraps) a registry *Error of kind.
func IsKind(err error, kind Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

func fromCandid(e *registry_1_0_0.Error) *Error {
	switch {
	case e == nil:
		return &Error{Kind: Internal, Message: "err without an error"}
	case e.NotFound != nil:
		return &Error{Kind: NotFound, Message: *e.NotFound}
	case e.PermissionDenied != nil:
		return &Error{Kind: PermissionDenied, Message: *e.PermissionDenied}
	case e.InvalidArgument != nil:
		return &Error{Kind: InvalidArgument, Message: *e.InvalidArgument}
	case e.AlreadyExists != nil:
		return &Error{Kind: AlreadyExists, Message: *e.AlreadyExists}
	case e.FailedPrecondition != nil:
		return &Error{Kind: FailedPrecondition, Message: *e.FailedPrecondition}
	case e.QuotaExceeded != nil:
		q := e.QuotaExceeded
		return &Error{Kind: QuotaExceeded, Message: q.Message, Limit: q.Limit,
			RetryAfter: time.Duration(q.RetryAfterSeconds) * time.Second}
	case e.UpgradePath != nil:
		u := e.UpgradePath
		return &Error{Kind: UpgradePath, Message: u.Message, Installed: u.Installed,
			Requested: u.Requested, Allowed: u.Allowed}
	case e.Internal != nil:
		return &Error{Kind: Internal, Message: *e.Internal}
	}
	return &Error{Kind: Internal, Message: "an error of an unknown kind"}
}
