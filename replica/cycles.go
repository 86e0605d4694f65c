package replica

import (
	"math/big"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// The IC's fee schedule for a 13-node application subnet (cycles), from the
// IC's published cost table.
const (
	feeUpdateExecution   = 5_000_000       // per replicated message execution
	feeIngressReception  = 1_200_000       // per ingress message
	feeIngressByte       = 2_000           // per ingress byte
	feeXnetCall          = 260_000         // per inter-canister call
	feeXnetByte          = 1_000           // per inter-canister request byte
	feeCanisterCreation  = 500_000_000_000 // create_canister
	feeStorageGiBSecond  = 127_000         // memory, per GiB per second
	instructionsPerCycle = 10.0 / 4.0      // 4 cycles per 10 instructions
)

// instructionFee is what executing n instructions costs.
func instructionFee(n uint64) cycles.Amount {
	return cycles.Of(uint64(float64(n) / instructionsPerCycle))
}

// memoryBytes is the memory the canister is charged for.
func memoryBytes(c *canister) uint64 {
	n := c.rec.HeapSize + c.rec.StableSize
	if c.module != nil {
		n += uint64(len(c.module.Wasm))
	}
	return n
}

// idleBurnPerSecond is what the canister's memory costs per second.
func idleBurnPerSecond(c *canister) cycles.Amount {
	b := new(big.Int).SetUint64(memoryBytes(c))
	b.Mul(b, big.NewInt(feeStorageGiBSecond))
	b.Rsh(b, 30)
	return cycles.FromBig(b)
}

// freezingLimit is the balance below which the canister is frozen: what it
// would burn idle during its freezing threshold.
func freezingLimit(c *canister) cycles.Amount {
	b := idleBurnPerSecond(c).Big()
	b.Mul(b, new(big.Int).SetUint64(c.rec.Settings.FreezingThreshold))
	return cycles.FromBig(b)
}

// charge takes fee from the canister's balance (never below zero).
func charge(c *canister, fee cycles.Amount) {
	c.rec.Cycles = c.rec.Cycles.Sub(fee) // Sub saturates at zero
}

// chargeStorage charges the memory the canister held since it was last
// charged, the way the IC burns cycles of idle canisters.
func (rd *round) chargeStorage(c *canister) {
	if c.rec.ChargedUntil == 0 || c.rec.ChargedUntil > rd.time {
		c.rec.ChargedUntil = rd.time
		return
	}
	seconds := (rd.time - c.rec.ChargedUntil) / 1e9
	if seconds == 0 {
		return
	}
	perSecond := idleBurnPerSecond(c)
	b := new(big.Int).SetUint64(perSecond.Lo)
	b.Mul(b, new(big.Int).SetUint64(seconds))
	charge(c, cycles.FromBig(b))
	c.rec.ChargedUntil += seconds * 1e9
}

// prepayment is what a message must be able to pay before it may run: the
// base fee and its whole instruction limit (the IC charges up front and
// refunds what was not used).
func prepayment(limit uint64) cycles.Amount {
	return cycles.Of(feeUpdateExecution).Add(instructionFee(limit))
}

// outOfCycles refuses a message the canister cannot pay for without
// dipping below its freezing limit.
func (r *Replica) outOfCycles(c *canister, extra cycles.Amount) *reject.Error {
	need := freezingLimit(c).Add(prepayment(r.engine.Limits().Update)).Add(extra)
	bal := c.rec.Cycles
	if bal.Cmp(need) >= 0 {
		return nil
	}
	return reject.New(reject.CanisterOutOfCycles,
		"Canister %s is out of cycles: please top up the canister with at least %s additional cycles",
		c.id(), need.Sub(bal))
}

// chargeExecution takes the base fee and the instructions used.
func chargeExecution(c *canister, instructions uint64) {
	charge(c, cycles.Of(feeUpdateExecution).Add(instructionFee(instructions)))
}

// idleBurnPerDay is canister_status' idle_cycles_burned_per_day.
func idleBurnPerDay(c *canister) cycles.Amount {
	b := idleBurnPerSecond(c).Big()
	return cycles.FromBig(b.Mul(b, big.NewInt(86_400)))
}
