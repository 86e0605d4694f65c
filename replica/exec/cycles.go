package exec

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"strconv"
)

// Cycles is an unsigned 128-bit amount of cycles.
type Cycles struct{ Hi, Lo uint64 }

// CyclesFrom builds a Cycles from a 64-bit amount.
func CyclesFrom(n uint64) Cycles { return Cycles{Lo: n} }

// IsZero reports whether the amount is 0.
func (c Cycles) IsZero() bool { return c.Hi == 0 && c.Lo == 0 }

// Cmp compares: -1, 0 or +1.
func (c Cycles) Cmp(o Cycles) int {
	switch {
	case c.Hi < o.Hi || (c.Hi == o.Hi && c.Lo < o.Lo):
		return -1
	case c == o:
		return 0
	}
	return 1
}

// Add is the saturating sum (cycle balances saturate on the IC).
func (c Cycles) Add(o Cycles) Cycles {
	lo, carry := bits.Add64(c.Lo, o.Lo, 0)
	hi, overflow := bits.Add64(c.Hi, o.Hi, carry)
	if overflow != 0 {
		return Cycles{Hi: ^uint64(0), Lo: ^uint64(0)}
	}
	return Cycles{Hi: hi, Lo: lo}
}

// Sub is the saturating difference (0 if o > c).
func (c Cycles) Sub(o Cycles) Cycles {
	if c.Cmp(o) <= 0 {
		return Cycles{}
	}
	lo, borrow := bits.Sub64(c.Lo, o.Lo, 0)
	hi, _ := bits.Sub64(c.Hi, o.Hi, borrow)
	return Cycles{Hi: hi, Lo: lo}
}

// Min returns the smaller amount.
func (c Cycles) Min(o Cycles) Cycles {
	if c.Cmp(o) <= 0 {
		return c
	}
	return o
}

// Uint64 returns the amount capped at 2^64-1 (for the deprecated 64-bit API).
func (c Cycles) Uint64() uint64 {
	if c.Hi != 0 {
		return ^uint64(0)
	}
	return c.Lo
}

// bytes16 is the little-endian u128 encoding the System API writes to
// memory (the CDKs decode it with u128::from_le_bytes).
func (c Cycles) bytes16() []byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], c.Lo)
	binary.LittleEndian.PutUint64(b[8:], c.Hi)
	return b[:]
}

// String renders the amount in decimal.
func (c Cycles) String() string {
	if c.Hi == 0 {
		return strconv.FormatUint(c.Lo, 10)
	}
	n := new(big.Int).SetUint64(c.Hi)
	n.Lsh(n, 64)
	n.Or(n, new(big.Int).SetUint64(c.Lo))
	return n.String()
}

// mulCycles is the full 128-bit product of two 64-bit numbers.
func mulCycles(a, b uint64) Cycles {
	hi, lo := bits.Mul64(a, b)
	return Cycles{Hi: hi, Lo: lo}
}
