package candidguard

import (
	"errors"
	"fmt"
)

// reader reads a Candid message without copying it.
type reader struct {
	b []byte
}

var errShort = errors.New("message ends early")

func (r *reader) byte() (byte, error) {
	if len(r.b) == 0 {
		return 0, errShort
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

func (r *reader) skip(n uint64) error {
	if n > uint64(len(r.b)) {
		return fmt.Errorf("%d bytes announced, %d left: %w", n, len(r.b), errShort)
	}
	r.b = r.b[n:]
	return nil
}

// uleb reads an unsigned LEB128 number that fits 64 bits (lengths,
// counts, indices).
func (r *reader) uleb() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift >= 63 && c > 1 {
			return 0, errors.New("a length or count beyond 64 bits")
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

// sleb reads a signed LEB128 number that fits 64 bits (opcodes, type
// references).
func (r *reader) sleb() (int64, error) {
	var v int64
	for shift := uint(0); ; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift >= 63 {
			return 0, errors.New("a type opcode beyond 64 bits")
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
}
