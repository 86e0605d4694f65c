package exec

import (
	"bytes"
	"strings"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// maxCertifiedData is the IC's limit on certified data.
const maxCertifiedData = 32

// Canister and environment information, timers, certification, debugging
// and cost functions (spec §7.8).
var miscFuncs = []hostFunc{
	{name: "canister_self_size", results: "I", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.Self)), nil
	}},
	{name: "canister_self_copy", params: "III", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("canister_self_copy", a[0], a[1], a[2], x.inv.Self)
	}},
	{name: "subnet_self_size", results: "I", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.Subnet)), nil
	}},
	{name: "subnet_self_copy", params: "III", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("subnet_self_copy", a[0], a[1], a[2], x.inv.Subnet)
	}},
	{name: "canister_status", results: "i", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		if x.inv.Status == 0 {
			return 1, nil // running
		}
		return uint64(uint32(x.inv.Status)), nil
	}},
	{name: "canister_version", results: "l", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return x.inv.Version, nil
	}},
	{name: "time", results: "l", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return x.inv.Time, nil
	}},
	{name: "global_timer_set", params: "l", results: "l", allowed: contexts("I G U Ry Rt C T"), fn: func(x *execution, a []uint64) (uint64, error) {
		prev := x.timer
		x.timer = a[0]
		t := a[0]
		x.res.GlobalTimer = &t
		return prev, nil
	}},
	{name: "performance_counter", params: "i", results: "l", allowed: ctxAll | ctxS, fn: performanceCounter},
	{name: "is_controller", params: "II", results: "i", allowed: ctxAll | ctxS, fn: isController},
	{name: "in_replicated_execution", results: "i", allowed: ctxAll | ctxS, fn: func(x *execution, _ []uint64) (uint64, error) {
		return boolBit(x.ctx.replicated()), nil
	}},
	{name: "certified_data_set", params: "II", allowed: contexts("I G U Ry Rt T"), fn: func(x *execution, a []uint64) (uint64, error) {
		if a[1] > maxCertifiedData {
			return 0, contractViolation("ic0.certified_data_set: certified data is %d bytes, at most %d are allowed", a[1], maxCertifiedData)
		}
		data, err := x.read("certified_data_set", a[0], a[1])
		if err != nil {
			return 0, err
		}
		x.res.CertifiedData, x.res.CertifiedDataSet = data, true
		return 0, nil
	}},
	{name: "data_certificate_present", results: "i", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return boolBit(x.certificate() != nil), nil
	}},
	{name: "data_certificate_size", results: "I", allowed: contexts("NRQ CQ"), fn: func(x *execution, _ []uint64) (uint64, error) {
		if x.certificate() == nil {
			return 0, contractViolation("ic0.data_certificate_size: no certificate is available")
		}
		return uint64(len(x.inv.DataCertificate)), nil
	}},
	{name: "data_certificate_copy", params: "III", allowed: contexts("NRQ CQ"), fn: func(x *execution, a []uint64) (uint64, error) {
		if x.certificate() == nil {
			return 0, contractViolation("ic0.data_certificate_copy: no certificate is available")
		}
		return 0, x.copyOut("data_certificate_copy", a[0], a[1], a[2], x.inv.DataCertificate)
	}},
	{name: "debug_print", params: "II", allowed: ctxAll | ctxS, fn: debugPrint},
	{name: "trap", params: "II", allowed: ctxAll | ctxS, fn: trap},
	{name: "cost_call", params: "llI", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("cost_call", a[2], costCall(a[0], a[1], x.inst.module.Is64).LittleEndian())
	}},
	{name: "cost_create_canister", params: "I", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("cost_create_canister", a[0], cycles.Of(feeCreateCanister).LittleEndian())
	}},
	{name: "cost_http_request", params: "llI", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("cost_http_request", a[2], costHTTPRequest(a[0], a[1]).LittleEndian())
	}},
}

// certificate is the data certificate, available only in non-replicated
// queries and composite queries.
func (x *execution) certificate() []byte {
	if x.ctx&(ctxNRQ|ctxCQ) == 0 {
		return nil
	}
	return x.inv.DataCertificate
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func performanceCounter(x *execution, a []uint64) (uint64, error) {
	switch uint32(a[0]) {
	case 0:
		return x.instructions(), nil
	case 1:
		return x.inv.CallContextInstructions + x.instructions(), nil
	}
	return 0, contractViolation("ic0.performance_counter: unknown counter type %d", uint32(a[0]))
}

func isController(x *execution, a []uint64) (uint64, error) {
	if a[1] > maxPrincipalLen {
		return 0, contractViolation("ic0.is_controller: %d bytes is not a valid principal", a[1])
	}
	p, err := x.read("is_controller", a[0], a[1])
	if err != nil {
		return 0, err
	}
	for _, c := range x.inv.Controllers {
		if bytes.Equal(c, p) {
			return 1, nil
		}
	}
	return 0, nil
}

// debugPrint never traps: an out-of-bounds message is replaced, as on the IC.
func debugPrint(x *execution, a []uint64) (uint64, error) {
	msg := "(debug message out of bounds)"
	if data, err := x.read("debug_print", a[0], a[1]); err == nil {
		msg = strings.ToValidUTF8(string(data), "\uFFFD")
	}
	// The replica keeps the lines of replicated executions in the canister's
	// log and writes them to its own log; a query's are dropped, as on the IC.
	x.res.Logs = append(x.res.Logs, msg)
	return 0, nil
}

// trap always traps, with the canister's message (IC0503).
func trap(x *execution, a []uint64) (uint64, error) {
	msg := "(trap message out of bounds)"
	if data, err := x.read("trap", a[0], a[1]); err == nil {
		msg = strings.ToValidUTF8(string(data), "\uFFFD")
	}
	x.trapMessage = &msg
	return 0, reject.New(reject.CanisterCalledTrap,
		"Canister called `ic0.trap` with message: '%s'.\nConsider gracefully handling failures from this canister or altering the canister to handle exceptions. See documentation: https://internetcomputer.org/docs/current/references/execution-errors#trapped-explicitly", msg)
}

// Fees of a 13-node application subnet (IC CyclesAccountManagerConfig::
// application_subnet, rs/config/src/subnet_config.rs).
const (
	feeUpdateMessage    = 5_000_000
	feeTenInstructions  = 10
	wasm64CostOverhead  = 2
	maxResponseBytes    = 2 << 20 // MAX_INTER_CANISTER_PAYLOAD_IN_BYTES
	feeXnetCall         = 260_000
	feeXnetByte         = 1_000
	feeCreateCanister   = 500_000_000_000
	feeHTTPBase         = 3_000_000
	feeHTTPPerNode      = 60_000
	feeHTTPRequestByte  = 400
	feeHTTPResponseByte = 800
	subnetNodes         = 13
)

// costCall is what a canister needs above its freezing threshold to make a
// call: the base fee, the request bytes, and the reservations for the
// largest response and for executing the longest response callback (the
// update message limit of DefaultLimits).
func costCall(methodNameSize, payloadSize uint64, is64 bool) cycles.Amount {
	perTen := uint64(feeTenInstructions)
	if is64 {
		perTen *= wasm64CostOverhead
	}
	execution := cycles.Of(feeUpdateMessage).Add(cycles.Product(DefaultLimits.Update/10, perTen))
	return cycles.Of(feeXnetCall).
		Add(cycles.Product(feeXnetByte, methodNameSize)).
		Add(cycles.Product(feeXnetByte, payloadSize)).
		Add(cycles.Product(feeXnetByte, maxResponseBytes)).
		Add(execution)
}

func costHTTPRequest(requestSize, maxResponseBytes uint64) cycles.Amount {
	base := cycles.Of((feeHTTPBase + feeHTTPPerNode*subnetNodes) * subnetNodes)
	req := cycles.Product(feeHTTPRequestByte*subnetNodes, requestSize)
	res := cycles.Product(feeHTTPResponseByte*subnetNodes, maxResponseBytes)
	return base.Add(req).Add(res)
}
