package replica

import (
	"math/big"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
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

func toExec(c state.Cycles) exec.Cycles   { return exec.Cycles{Hi: c.Hi, Lo: c.Lo} }
func fromExec(c exec.Cycles) state.Cycles { return state.Cycles{Hi: c.Hi, Lo: c.Lo} }

func cyclesOf(n uint64) exec.Cycles { return exec.CyclesFrom(n) }

// instructionFee is what executing n instructions costs.
func instructionFee(n uint64) exec.Cycles {
	return cyclesOf(uint64(float64(n) / instructionsPerCycle))
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
func idleBurnPerSecond(c *canister) exec.Cycles {
	b := new(big.Int).SetUint64(memoryBytes(c))
	b.Mul(b, big.NewInt(feeStorageGiBSecond))
	b.Rsh(b, 30)
	return bigCycles(b)
}

// freezingLimit is the balance below which the canister is frozen: what it
// would burn idle during its freezing threshold.
func freezingLimit(c *canister) exec.Cycles {
	b := big.NewInt(0)
	perSecond := idleBurnPerSecond(c)
	b.SetUint64(perSecond.Hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(perSecond.Lo))
	b.Mul(b, new(big.Int).SetUint64(c.rec.Settings.FreezingThreshold))
	return bigCycles(b)
}

func bigCycles(b *big.Int) exec.Cycles {
	if b.BitLen() > 128 {
		return exec.Cycles{Hi: ^uint64(0), Lo: ^uint64(0)}
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0)))
	return exec.Cycles{Hi: new(big.Int).Rsh(b, 64).Uint64(), Lo: lo.Uint64()}
}

// charge takes fee from the canister's balance (never below zero).
func charge(c *canister, fee exec.Cycles) {
	bal := toExec(c.rec.Cycles)
	c.rec.Cycles = fromExec(bal.Sub(bal.Min(fee)))
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
	charge(c, bigCycles(b))
	c.rec.ChargedUntil += seconds * 1e9
}

// prepayment is what a message must be able to pay before it may run: the
// base fee and its whole instruction limit (the IC charges up front and
// refunds what was not used).
func prepayment(limit uint64) exec.Cycles {
	return cyclesOf(feeUpdateExecution).Add(instructionFee(limit))
}

// outOfCycles refuses a message the canister cannot pay for without
// dipping below its freezing limit.
func (r *Replica) outOfCycles(c *canister, extra exec.Cycles) *reject.Error {
	need := freezingLimit(c).Add(prepayment(r.engine.Limits().Update)).Add(extra)
	bal := toExec(c.rec.Cycles)
	if bal.Cmp(need) >= 0 {
		return nil
	}
	return reject.New(reject.CanisterOutOfCycles,
		"Canister %s is out of cycles: please top up the canister with at least %s additional cycles",
		c.id(), need.Sub(bal))
}

// chargeExecution takes the base fee and the instructions used.
func chargeExecution(c *canister, instructions uint64) {
	charge(c, cyclesOf(feeUpdateExecution).Add(instructionFee(instructions)))
}

// idleBurnPerDay is canister_status' idle_cycles_burned_per_day.
func idleBurnPerDay(c *canister) exec.Cycles {
	b := natOf(idleBurnPerSecond(c))
	return bigCycles(b.Mul(b, big.NewInt(86_400)))
}
