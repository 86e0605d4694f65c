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

// chargedBytes is all the canister is charged storage for: its memories
// and module, its snapshots and its chunk store, as on the IC.
func (r *Replica) chargedBytes(c *canister) uint64 {
	return memoryBytes(c) + r.snapshots.totalSize(c.rec.ID) + chunkStoreBytes(c)
}

// idleBurnPerSecond is what the canister's storage costs per second.
func (r *Replica) idleBurnPerSecond(c *canister) cycles.Amount {
	b := new(big.Int).SetUint64(r.chargedBytes(c))
	b.Mul(b, big.NewInt(feeStorageGiBSecond))
	b.Rsh(b, 30)
	return cycles.FromBig(b)
}

// freezingLimit is the balance below which the canister is frozen: what it
// would burn idle during its freezing threshold.
func (r *Replica) freezingLimit(c *canister) cycles.Amount {
	b := r.idleBurnPerSecond(c).Big()
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
	perSecond := rd.r.idleBurnPerSecond(c)
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
	need := r.freezingLimit(c).Add(prepayment(r.engine.Limits().Update)).Add(extra)
	bal := c.rec.Cycles
	if bal.Cmp(need) >= 0 {
		return nil
	}
	return reject.New(reject.CanisterOutOfCycles,
		"Canister %s is out of cycles: please top up the canister with at least %s additional cycles",
		c.id(), need.Sub(bal))
}

// executionFee is what an execution of n instructions costs: the base fee
// and the instructions.
func executionFee(instructions uint64) cycles.Amount {
	return cycles.Of(feeUpdateExecution).Add(instructionFee(instructions))
}

// reserveExecution takes, before a message runs, the fee for its whole
// instruction limit from the balance, as the IC does (the canister sees the
// reduced balance while it runs). Messages that may run were checked to
// afford it; a callback or timer of a canister that can no longer afford it
// reserves what is left. The reservation is settled by settleExecution.
func reserveExecution(c *canister, limit uint64) cycles.Amount {
	reserved := prepayment(limit)
	if c.rec.Cycles.Cmp(reserved) < 0 {
		reserved = c.rec.Cycles
	}
	charge(c, reserved)
	return reserved
}

// settleExecution refunds what a reservation did not need for the
// instructions that ran; the fee is never more than what was reserved.
func settleExecution(c *canister, reserved cycles.Amount, instructions uint64) {
	fee := executionFee(instructions)
	if fee.Cmp(reserved) > 0 {
		fee = reserved
	}
	c.rec.Cycles = c.rec.Cycles.Add(reserved.Sub(fee))
}

// installOutOfCycles refuses an install_code whose canister cannot reserve
// the fee for the install instruction limit above its freezing limit, in
// the IC's words.
func (r *Replica) installOutOfCycles(c *canister) *reject.Error {
	need := r.freezingLimit(c).Add(prepayment(r.engine.Limits().Install))
	if c.rec.Cycles.Cmp(need) >= 0 {
		return nil
	}
	return reject.New(reject.CanisterOutOfCycles,
		"Canister installation failed with `Canister %s is out of cycles: please top up the canister with at least %s additional cycles`.",
		c.id(), need.Sub(c.rec.Cycles))
}

// idleBurnPerDay is canister_status' idle_cycles_burned_per_day.
func (r *Replica) idleBurnPerDay(c *canister) cycles.Amount {
	b := r.idleBurnPerSecond(c).Big()
	return cycles.FromBig(b.Mul(b, big.NewInt(86_400)))
}
