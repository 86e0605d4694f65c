package mgmt

import (
	"fmt"
	"reflect"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/reject"
)

// handler runs one method: it decodes the Candid argument, calls the
// manager (call) or, for a method served as a query, the viewer (query),
// and encodes the reply. arg and result are the Go types the Candid is
// decoded into and encoded from (none: no values), so that a test can hold
// every method to the spec's ic.did.
type handler struct {
	call        func(m Manager, caller principal.Principal, method string, arg []byte) ([]byte, error)
	query       func(v Viewer, caller principal.Principal, method string, arg []byte) ([]byte, error)
	arg, result reflect.Type
}

// none is the argument of a method that reads none (raw_rand) and the reply
// of a method that replies with no values.
type none struct{}

// handle is a method carried out by a Manager in a round.
func handle[A, R any](call func(m Manager, caller principal.Principal, arg A) (R, error)) handler {
	return handler{call: codec(call), arg: reflect.TypeFor[A](), result: reflect.TypeFor[R]()}
}

// viewed is a method served as a query by a Viewer (fetch_canister_logs).
func viewed[A, R any](call func(v Viewer, caller principal.Principal, arg A) (R, error)) handler {
	return handler{query: codec(call), arg: reflect.TypeFor[A](), result: reflect.TypeFor[R]()}
}

// codec is the one decode → call → encode of every method: the argument
// decodes into A, call's R is encoded as the reply. A failed decode is the
// IC's InvalidManagementPayload reject; call's error is returned as is.
func codec[M, A, R any](call func(m M, caller principal.Principal, arg A) (R, error)) func(m M, caller principal.Principal, method string, arg []byte) ([]byte, error) {
	return func(m M, caller principal.Principal, method string, arg []byte) ([]byte, error) {
		var a A
		if _, skip := any(a).(none); !skip {
			if err := decode(method, arg, &a); err != nil {
				return nil, err
			}
		}
		r, err := call(m, caller, a)
		if err != nil {
			return nil, err
		}
		if _, empty := any(r).(none); empty {
			return candid.Marshal([]any{})
		}
		return encode(r)
	}
}

// withCaller is a method that takes the caller and its argument and replies
// with no values (install_code, update_settings, ...).
func withCaller[A any](call func(m Manager, caller principal.Principal, arg A) error) handler {
	return handle(func(m Manager, caller principal.Principal, a A) (none, error) {
		return none{}, call(m, caller, a)
	})
}

// withoutCaller is a method that takes only its argument and replies with no
// values.
func withoutCaller[A any](call func(m Manager, arg A) error) handler {
	return handle(func(m Manager, _ principal.Principal, a A) (none, error) {
		return none{}, call(m, a)
	})
}

// onCanister is a method whose argument is record { canister_id } and that
// replies with no values (start_canister, deposit_cycles, ...).
func onCanister(call func(m Manager, canister principal.Principal) error) handler {
	return handle(func(m Manager, _ principal.Principal, a CanisterIDArg) (none, error) {
		return none{}, call(m, a.CanisterID)
	})
}

// creates is a create method: it replies with the new canister's id.
func creates[A any](create func(m Manager, caller principal.Principal, arg A) (principal.Principal, error)) handler {
	return handle(func(m Manager, caller principal.Principal, a A) (CanisterIDResult, error) {
		id, err := create(m, caller, a)
		return CanisterIDResult{CanisterID: id}, err
	})
}

// deref replies with the record a manager method returns by pointer.
func deref[R any](r *R, err error) (R, error) {
	if err != nil {
		var zero R
		return zero, err
	}
	return *r, nil
}

func decode(method string, arg []byte, v any) (err error) {
	// agent-go's decoder may panic on adversarial input; a bad payload must be
	// a reject, never a crash of the replica.
	defer func() {
		if r := recover(); r != nil {
			err = reject.New(reject.InvalidManagementPayload, "Error decoding candid for method %s: %v", method, r)
		}
	}()
	if decodeBlobs(arg, v) {
		return nil
	}
	if err := candid.Unmarshal(arg, []any{v}); err != nil {
		return reject.New(reject.InvalidManagementPayload, "Error decoding candid for method %s: %v", method, err)
	}
	return nil
}

func encode(v any) ([]byte, error) {
	b, err := candid.Marshal([]any{v})
	if err != nil {
		return nil, fmt.Errorf("encode management reply: %w", err)
	}
	return b, nil
}
