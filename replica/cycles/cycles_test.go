package cycles

import (
	"math/big"
	"testing"
)

func TestSaturatingArithmetic(t *testing.T) {
	if got := Max.Add(Of(1)); got != Max {
		t.Errorf("Max+1 = %v, want Max", got)
	}
	if got := Of(3).Sub(Of(5)); !got.IsZero() {
		t.Errorf("3-5 = %v, want 0", got)
	}
	if got := (Amount{Hi: 1}).Sub(Of(1)); got != (Amount{Lo: ^uint64(0)}) {
		t.Errorf("2^64-1 borrow: got %+v", got)
	}
	if got := Of(^uint64(0)).Add(Of(1)); got != (Amount{Hi: 1}) {
		t.Errorf("carry: got %+v", got)
	}
	if Of(2).Min(Of(1)) != Of(1) || Of(1).Cmp(Of(2)) != -1 || (Amount{Hi: 1}).Cmp(Of(5)) != 1 || Of(4).Cmp(Of(4)) != 0 {
		t.Error("Min/Cmp disagree with the numbers")
	}
	if (Amount{Hi: 1}).Uint64() != ^uint64(0) {
		t.Error("Uint64 does not cap")
	}
}

func TestBigRoundTrip(t *testing.T) {
	for _, c := range []Amount{{}, Of(42), {Hi: 7, Lo: 9}, Max} {
		if got := FromBig(c.Big()); got != c {
			t.Errorf("FromBig(%v.Big()) = %v", c, got)
		}
	}
	huge := new(big.Int).Lsh(big.NewInt(1), 200)
	if FromBig(huge) != Max {
		t.Error("FromBig does not saturate")
	}
	if Product(1<<63, 4) != (Amount{Hi: 2}) {
		t.Error("Product lost the high word")
	}
	if s := (Amount{Hi: 1}).String(); s != "18446744073709551616" {
		t.Errorf("String = %s", s)
	}
}

func TestLittleEndian(t *testing.T) {
	b := Amount{Hi: 0x0102, Lo: 0x0304}.LittleEndian()
	if len(b) != 16 || b[0] != 0x04 || b[1] != 0x03 || b[8] != 0x02 || b[9] != 0x01 {
		t.Errorf("LittleEndian = %x", b)
	}
}
