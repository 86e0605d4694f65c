package state

import "github.com/canistry/canistry/replica/cycles"

// The records of in-flight inter-canister messaging. They are state like any
// other: a crash between rounds must not lose a call a canister is waiting
// on, so they are persisted with the canister (contexts, callbacks) and in
// the meta bucket (the message queue).

// Origin says who is waiting for a call context's answer.
type Origin struct {
	// Kind is "ingress", "canister" or "system" (timers: nobody waits).
	Kind string `cbor:"1,keyasint"`
	// Ingress is the request id of an ingress message.
	Ingress []byte `cbor:"2,keyasint,omitempty"`
	// Canister and Callback identify the waiting callback of a calling canister.
	Canister []byte `cbor:"3,keyasint,omitempty"`
	Callback uint64 `cbor:"4,keyasint,omitempty"`
	// Deadline is the bounded-wait deadline of the call (0: unbounded).
	Deadline uint64 `cbor:"5,keyasint,omitempty"`
}

// CallContext is an open call context of a canister.
type CallContext struct {
	ID           uint64        `cbor:"1,keyasint"`
	Origin       Origin        `cbor:"2,keyasint"`
	Responded    bool          `cbor:"3,keyasint,omitempty"`
	Outstanding  uint64        `cbor:"4,keyasint,omitempty"` // callbacks not yet run
	Available    cycles.Amount `cbor:"5,keyasint"`           // attached, not yet accepted
	Instructions uint64        `cbor:"6,keyasint,omitempty"` // for performance_counter(1)
	Caller       []byte        `cbor:"7,keyasint,omitempty"` // msg_caller of every execution in the context
}

// Callback is a call a canister made and has not heard back on.
type Callback struct {
	ID      uint64        `cbor:"1,keyasint"`
	Context uint64        `cbor:"2,keyasint"`
	Callee  []byte        `cbor:"3,keyasint"`
	Reply   WasmFn        `cbor:"4,keyasint"`
	Reject  WasmFn        `cbor:"5,keyasint"`
	Cleanup *WasmFn       `cbor:"6,keyasint,omitempty"`
	Sent    cycles.Amount `cbor:"7,keyasint"`
	// Deadline of a bounded-wait call (ns; 0: unbounded). Past it the
	// caller hears SYS_UNKNOWN and a late response is dropped.
	Deadline uint64 `cbor:"8,keyasint,omitempty"`
}

// WasmFn is a callback: a table index and its environment.
type WasmFn struct {
	Fun uint64 `cbor:"1,keyasint"`
	Env uint64 `cbor:"2,keyasint"`
}

// Message is a queued inter-canister message: a request to a canister (or
// the management canister), a response to a calling canister, or a timer.
type Message struct {
	Kind     string        `cbor:"1,keyasint"` // "request", "response", "timer"
	From     []byte        `cbor:"2,keyasint,omitempty"`
	To       []byte        `cbor:"3,keyasint,omitempty"`
	Method   string        `cbor:"4,keyasint,omitempty"`
	Arg      []byte        `cbor:"5,keyasint,omitempty"`
	Cycles   cycles.Amount `cbor:"6,keyasint"`
	Callback uint64        `cbor:"7,keyasint,omitempty"`
	Deadline uint64        `cbor:"8,keyasint,omitempty"`
	// Responses: Reply, or a reject.
	Reply         []byte `cbor:"9,keyasint,omitempty"`
	Rejected      bool   `cbor:"10,keyasint,omitempty"`
	RejectCode    uint8  `cbor:"11,keyasint,omitempty"`
	RejectMessage string `cbor:"12,keyasint,omitempty"`
	ErrorCode     uint16 `cbor:"13,keyasint,omitempty"`
}
