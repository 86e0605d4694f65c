package mgmt

import (
	"bytes"
	"fmt"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/reject"
)

// Target is what Authorize needs to know about the canister a call manages.
type Target interface {
	IsController(p principal.Principal) bool
}

// Lookup of canisters for Authorize; nil when the canister does not exist.
type Canisters func(id principal.Principal) Target

// AuthorizeIngress is the pre-processing check of an ingress message to the
// management canister: the method must exist and be callable by users, the
// effective canister id must be the target, and the sender must control it.
// It returns the target canister (zero for provisional methods).
func AuthorizeIngress(method string, arg []byte, sender, effective principal.Principal, find Canisters) (principal.Principal, error) {
	m, ok := Lookup(method)
	if !ok {
		return principal.Principal{}, unknownMethod(method)
	}
	if m.Query {
		return principal.Principal{}, queryOnly(method)
	}
	if !m.Ingress {
		return principal.Principal{}, reject.New(reject.CanisterRejectedMessage, "Only canisters can call ic00 method %s", method)
	}
	if m.Untargeted {
		return principal.Principal{}, nil
	}
	target, err := TargetCanister(method, arg)
	if err != nil {
		return principal.Principal{}, err
	}
	if !bytes.Equal(target.Raw, effective.Raw) {
		return principal.Principal{}, &EffectiveIDError{Target: target, Effective: effective}
	}
	return target, authorize(m, sender, target, find)
}

// AuthorizeCanister is the same check for a call from a canister.
func AuthorizeCanister(method string, arg []byte, caller principal.Principal, find Canisters) (principal.Principal, error) {
	m, ok := Lookup(method)
	if !ok {
		return principal.Principal{}, unknownMethod(method)
	}
	if m.Query {
		return principal.Principal{}, queryOnly(method)
	}
	if !m.Canister {
		return principal.Principal{}, reject.New(reject.CanisterRejectedMessage, "Only users can call ic00 method %s", method)
	}
	if m.Untargeted {
		return principal.Principal{}, nil
	}
	target, err := TargetCanister(method, arg)
	if err != nil {
		return principal.Principal{}, err
	}
	return target, authorize(m, caller, target, find)
}

func authorize(m Method, caller, target principal.Principal, find Canisters) error {
	c := find(target)
	if c == nil {
		return reject.New(reject.CanisterNotFound, "Canister %s not found", target)
	}
	if !m.Controllers {
		return nil
	}
	if c.IsController(caller) || (m.SelfToo && bytes.Equal(caller.Raw, target.Raw)) {
		return nil
	}
	return reject.New(reject.CanisterInvalidController,
		"Only controllers of canister %s can call ic00 method %s", target, m.Name)
}

// EffectiveIDError is an ingress message whose URL names another canister
// than the one it manages. The IC refuses it as a bad HTTP request (400).
type EffectiveIDError struct{ Target, Effective principal.Principal }

func (e *EffectiveIDError) Error() string {
	return fmt.Sprintf("Specified CanisterId %s does not match effective canister id in URL %s", e.Target, e.Effective)
}

// AuthorizeTarget repeats, at execution, the checks on the managed canister
// (it exists, the caller controls it) for a call already accepted.
func AuthorizeTarget(method string, arg []byte, caller principal.Principal, find Canisters) error {
	m, ok := Lookup(method)
	if !ok {
		return unknownMethod(method)
	}
	if m.Untargeted {
		return nil
	}
	target, err := TargetCanister(method, arg)
	if err != nil {
		return err
	}
	return authorize(m, caller, target, find)
}
