package exec

import (
	"fmt"
	"strings"
)

// Kind is the kind of entry point an invocation runs.
type Kind int

// The kinds of invocation.
const (
	KindStart Kind = iota
	KindInit
	KindPreUpgrade
	KindPostUpgrade
	KindUpdate
	KindReplicatedQuery
	KindNonReplicatedQuery
	KindCompositeQuery
	KindInspectMessage
	KindReplyCallback
	KindRejectCallback
	KindCleanup
	KindGlobalTimer
	KindHeartbeat
	KindOnLowWasmMemory
)

var kindNames = [...]string{
	KindStart:              "start",
	KindInit:               "init",
	KindPreUpgrade:         "pre_upgrade",
	KindPostUpgrade:        "post_upgrade",
	KindUpdate:             "update",
	KindReplicatedQuery:    "replicated query",
	KindNonReplicatedQuery: "non-replicated query",
	KindCompositeQuery:     "composite query",
	KindInspectMessage:     "inspect message",
	KindReplyCallback:      "reply callback",
	KindRejectCallback:     "reject callback",
	KindCleanup:            "cleanup",
	KindGlobalTimer:        "system task",
	KindHeartbeat:          "system task",
	KindOnLowWasmMemory:    "system task",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind %d", int(k))
}

// apiContext is one of the System API contexts of the interface spec
// (§7.3 of the notes), as a bit so that sets of contexts are masks.
type apiContext uint32

const (
	ctxI   apiContext = 1 << iota // canister_init, canister_post_upgrade
	ctxG                          // canister_pre_upgrade
	ctxU                          // canister_update
	ctxRQ                         // query, replicated
	ctxNRQ                        // query, non-replicated
	ctxCQ                         // composite query
	ctxRy                         // reply callback
	ctxRt                         // reject callback
	ctxCRy                        // reply callback of a composite query
	ctxCRt                        // reject callback of a composite query
	ctxC                          // cleanup callback
	ctxCC                         // cleanup callback of a composite query
	ctxF                          // canister_inspect_message
	ctxT                          // system task
	ctxS                          // the (start) function
)

// ctxAll is the spec's "*": every context except start.
const ctxAll = ctxI | ctxG | ctxU | ctxRQ | ctxNRQ | ctxCQ | ctxRy | ctxRt | ctxCRy | ctxCRt | ctxC | ctxCC | ctxF | ctxT

var contextLetters = map[string]apiContext{
	"I": ctxI, "G": ctxG, "U": ctxU, "RQ": ctxRQ, "NRQ": ctxNRQ, "CQ": ctxCQ,
	"Q": ctxRQ | ctxNRQ, "Ry": ctxRy, "Rt": ctxRt, "CRy": ctxCRy, "CRt": ctxCRt,
	"C": ctxC, "CC": ctxCC, "F": ctxF, "T": ctxT, "s": ctxS, "*": ctxAll,
}

// contexts parses a space-separated list of the spec's context letters.
// It is only called on the constant table, so a typo is a programming error
// caught by the tests (TestSystemAPITable).
func contexts(spec string) apiContext {
	var c apiContext
	for _, l := range strings.Fields(spec) {
		c |= contextLetters[l]
	}
	return c
}

// contextOf is the System API context an invocation runs in.
func contextOf(k Kind, inCompositeQuery bool) apiContext {
	switch k {
	case KindStart:
		return ctxS
	case KindInit, KindPostUpgrade:
		return ctxI
	case KindPreUpgrade:
		return ctxG
	case KindUpdate:
		return ctxU
	case KindReplicatedQuery:
		return ctxRQ
	case KindNonReplicatedQuery:
		return ctxNRQ
	case KindCompositeQuery:
		return ctxCQ
	case KindInspectMessage:
		return ctxF
	case KindReplyCallback:
		return pick(inCompositeQuery, ctxCRy, ctxRy)
	case KindRejectCallback:
		return pick(inCompositeQuery, ctxCRt, ctxRt)
	case KindCleanup:
		return pick(inCompositeQuery, ctxCC, ctxC)
	}
	return ctxT
}

func pick(cond bool, a, b apiContext) apiContext {
	if cond {
		return a
	}
	return b
}

// replicated reports whether a context runs in replicated mode.
func (c apiContext) replicated() bool {
	return c&(ctxNRQ|ctxCQ|ctxCRy|ctxCRt|ctxCC|ctxF) == 0
}

// canRespond reports whether a context belongs to a call that expects a
// response (init, timers, cleanup and inspect_message do not).
func (c apiContext) canRespond() bool {
	return c&(ctxU|ctxRQ|ctxNRQ|ctxCQ|ctxRy|ctxRt|ctxCRy|ctxCRt) != 0
}

// modeName is how the IC names the API type in contract-violation messages.
func (c apiContext) modeName() string {
	switch c {
	case ctxI:
		return "init"
	case ctxG:
		return "pre_upgrade"
	case ctxU:
		return "update"
	case ctxRQ:
		return "replicated query"
	case ctxNRQ:
		return "non-replicated query"
	case ctxCQ:
		return "composite query"
	case ctxRy, ctxCRy:
		return "reply callback"
	case ctxRt, ctxCRt:
		return "reject callback"
	case ctxC, ctxCC:
		return "cleanup"
	case ctxF:
		return "inspect message"
	case ctxT:
		return "system task"
	case ctxS:
		return "start"
	}
	return "unknown"
}
