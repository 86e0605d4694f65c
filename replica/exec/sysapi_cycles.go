package exec

import "github.com/canistry/canistry/replica/cycles"

// Cycles (spec §7.8). Balances live in the execution and are reported in
// the Result; the scheduler applies them only if the execution commits.
var cyclesFuncs = []hostFunc{
	{name: "canister_cycle_balance128", params: "I", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("canister_cycle_balance128", a[0], x.balance.LittleEndian())
	}},
	{name: "canister_liquid_cycle_balance128", params: "I", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("canister_liquid_cycle_balance128", a[0], x.liquid().LittleEndian())
	}},
	{name: "msg_cycles_available128", params: "I", allowed: contexts("U RQ Rt Ry"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("msg_cycles_available128", a[0], x.available.LittleEndian())
	}},
	{name: "msg_cycles_refunded128", params: "I", allowed: contexts("Rt Ry"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.write("msg_cycles_refunded128", a[0], x.inv.CyclesRefunded.LittleEndian())
	}},
	{name: "msg_cycles_accept128", params: "llI", allowed: contexts("U RQ Rt Ry"), fn: func(x *execution, a []uint64) (uint64, error) {
		got := x.acceptCycles(cycles.Amount{Hi: a[0], Lo: a[1]})
		return 0, x.write("msg_cycles_accept128", a[2], got.LittleEndian())
	}},
	{name: "cycles_burn128", params: "llI", allowed: contexts("I G U RQ Ry Rt C T"), fn: func(x *execution, a []uint64) (uint64, error) {
		burnt := cycles.Amount{Hi: a[0], Lo: a[1]}.Min(x.liquid())
		x.balance = x.balance.Sub(burnt)
		x.res.CyclesBurned = x.res.CyclesBurned.Add(burnt)
		return 0, x.write("cycles_burn128", a[2], burnt.LittleEndian())
	}},
	// Deprecated 64-bit forms, only for wasm32 modules. They trap if the
	// amount does not fit in 64 bits, as the IC does.
	{name: "canister_cycle_balance", results: "l", allowed: ctxAll, only32: true, fn: func(x *execution, _ []uint64) (uint64, error) {
		return fits64("canister_cycle_balance", x.balance)
	}},
	{name: "msg_cycles_available", results: "l", allowed: contexts("U RQ Rt Ry"), only32: true, fn: func(x *execution, _ []uint64) (uint64, error) {
		return fits64("msg_cycles_available", x.available)
	}},
	{name: "msg_cycles_refunded", results: "l", allowed: contexts("Rt Ry"), only32: true, fn: func(x *execution, _ []uint64) (uint64, error) {
		return fits64("msg_cycles_refunded", x.inv.CyclesRefunded)
	}},
	{name: "msg_cycles_accept", params: "l", results: "l", allowed: contexts("U RQ Rt Ry"), only32: true, fn: func(x *execution, a []uint64) (uint64, error) {
		return x.acceptCycles(cycles.Of(a[0])).Lo, nil
	}},
}

// acceptCycles moves up to max of the attached cycles into the balance.
func (x *execution) acceptCycles(max cycles.Amount) cycles.Amount {
	got := max.Min(x.available)
	x.available = x.available.Sub(got)
	x.balance = x.balance.Add(got)
	x.res.CyclesAccepted = x.res.CyclesAccepted.Add(got)
	return got
}

func fits64(fn string, c cycles.Amount) (uint64, error) {
	if c.Hi != 0 {
		return 0, contractViolation("ic0.%s: the amount %s does not fit in 64 bits, use the 128-bit API", fn, c)
	}
	return c.Lo, nil
}
