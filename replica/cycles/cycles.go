// Package cycles is the replica's one amount of cycles: an unsigned 128-bit
// number with the IC's saturating arithmetic. It is a leaf, so that the
// execution engine (exec), the durable state (state) and the replica share
// one type and never convert.
package cycles

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"strconv"
)

// Amount is an unsigned 128-bit amount of cycles. The CBOR keys are those
// the state directory has always stored ({1: Hi, 2: Lo}).
type Amount struct {
	Hi uint64 `cbor:"1,keyasint"`
	Lo uint64 `cbor:"2,keyasint"`
}

// Max is 2^128-1, where amounts saturate.
var Max = Amount{Hi: ^uint64(0), Lo: ^uint64(0)}

// Of is a 64-bit amount.
func Of(n uint64) Amount { return Amount{Lo: n} }

// Product is the full 128-bit product of two 64-bit numbers.
func Product(a, b uint64) Amount {
	hi, lo := bits.Mul64(a, b)
	return Amount{Hi: hi, Lo: lo}
}

// FromBig is b as an amount, saturating at Max (b must not be negative).
func FromBig(b *big.Int) Amount {
	if b.BitLen() > 128 {
		return Max
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0)))
	return Amount{Hi: new(big.Int).Rsh(b, 64).Uint64(), Lo: lo.Uint64()}
}

// Big is the amount as a new big.Int.
func (c Amount) Big() *big.Int {
	b := new(big.Int).Lsh(new(big.Int).SetUint64(c.Hi), 64)
	return b.Or(b, new(big.Int).SetUint64(c.Lo))
}

// IsZero reports whether the amount is 0.
func (c Amount) IsZero() bool { return c.Hi == 0 && c.Lo == 0 }

// Cmp compares: -1, 0 or +1.
func (c Amount) Cmp(o Amount) int {
	switch {
	case c.Hi < o.Hi || (c.Hi == o.Hi && c.Lo < o.Lo):
		return -1
	case c == o:
		return 0
	}
	return 1
}

// Add is the saturating sum (cycle balances saturate on the IC).
func (c Amount) Add(o Amount) Amount {
	lo, carry := bits.Add64(c.Lo, o.Lo, 0)
	hi, overflow := bits.Add64(c.Hi, o.Hi, carry)
	if overflow != 0 {
		return Max
	}
	return Amount{Hi: hi, Lo: lo}
}

// Sub is the saturating difference (0 if o > c).
func (c Amount) Sub(o Amount) Amount {
	if c.Cmp(o) <= 0 {
		return Amount{}
	}
	lo, borrow := bits.Sub64(c.Lo, o.Lo, 0)
	hi, _ := bits.Sub64(c.Hi, o.Hi, borrow)
	return Amount{Hi: hi, Lo: lo}
}

// Min returns the smaller amount.
func (c Amount) Min(o Amount) Amount {
	if c.Cmp(o) <= 0 {
		return c
	}
	return o
}

// Uint64 returns the amount capped at 2^64-1 (for the deprecated 64-bit API).
func (c Amount) Uint64() uint64 {
	if c.Hi != 0 {
		return ^uint64(0)
	}
	return c.Lo
}

// LittleEndian is the 16-byte little-endian u128 the System API writes to
// memory (the CDKs decode it with u128::from_le_bytes).
func (c Amount) LittleEndian() []byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], c.Lo)
	binary.LittleEndian.PutUint64(b[8:], c.Hi)
	return b[:]
}

// String renders the amount in decimal.
func (c Amount) String() string {
	if c.Hi == 0 {
		return strconv.FormatUint(c.Lo, 10)
	}
	return c.Big().String()
}
