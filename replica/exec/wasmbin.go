package exec

import (
	"errors"
	"fmt"
)

// This file is a deliberately small reader/writer for the parts of the wasm
// binary format the replica touches: section framing, custom sections, the
// import/memory/table/global/export/start sections. No maintained Go wasm
// encoder understands memory64 and table64 (Motoko EOP modules use both), so
// the code sections are never decoded: they are copied byte for byte.

// Section ids of the wasm binary format.
const (
	secCustom    byte = 0
	secType      byte = 1
	secImport    byte = 2
	secFunction  byte = 3
	secTable     byte = 4
	secMemory    byte = 5
	secGlobal    byte = 6
	secExport    byte = 7
	secStart     byte = 8
	secElement   byte = 9
	secCode      byte = 10
	secData      byte = 11
	secDataCount byte = 12
	secTag       byte = 13
)

// External kinds of imports and exports.
const (
	externFunc   byte = 0
	externTable  byte = 1
	externMemory byte = 2
	externGlobal byte = 3
	externTag    byte = 4
)

var wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

var errTruncated = errors.New("unexpected end of module")

// section is one section of a module: its id and its payload (a sub-slice of
// the module bytes).
type section struct {
	id      byte
	payload []byte
}

// reader decodes the primitive encodings of the binary format.
type reader struct {
	buf []byte
	pos int
}

func (r *reader) done() bool { return r.pos >= len(r.buf) }

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.buf) {
		return 0, errTruncated
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.buf)-r.pos) {
		return nil, errTruncated
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// uleb reads an unsigned LEB128 of at most maxBits bits.
func (r *reader) uleb(maxBits uint) (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if shift >= 7*((maxBits+6)/7) {
			return 0, errors.New("LEB128 value too long")
		}
		b, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			if shift+7 > maxBits && maxBits < 64 && v>>maxBits != 0 {
				return 0, errors.New("LEB128 value out of range")
			}
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.uleb(32)
	return uint32(v), err
}

// skipLEB skips a (signed or unsigned) LEB128 without interpreting it.
func (r *reader) skipLEB() error {
	for i := 0; i < 10; i++ {
		b, err := r.byte()
		if err != nil {
			return err
		}
		if b&0x80 == 0 {
			return nil
		}
	}
	return errors.New("LEB128 value too long")
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(uint64(n))
	return string(b), err
}

func appendULEB(dst []byte, v uint64) []byte {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			dst = append(dst, b|0x80)
			continue
		}
		return append(dst, b)
	}
}

func appendName(dst []byte, s string) []byte {
	dst = appendULEB(dst, uint64(len(s)))
	return append(dst, s...)
}

// splitSections checks the header and splits a module into its sections.
func splitSections(wasm []byte) ([]section, error) {
	if len(wasm) < len(wasmHeader) || string(wasm[:8]) != string(wasmHeader) {
		return nil, errors.New("not a wasm module (bad magic number or version)")
	}
	r := &reader{buf: wasm, pos: len(wasmHeader)}
	var out []section
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("section %d size: %w", id, err)
		}
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
		out = append(out, section{id: id, payload: payload})
	}
	return out, nil
}

// joinSections encodes sections back into a module.
func joinSections(secs []section) []byte {
	size := len(wasmHeader)
	for _, s := range secs {
		size += 1 + 5 + len(s.payload)
	}
	out := make([]byte, 0, size)
	out = append(out, wasmHeader...)
	for _, s := range secs {
		out = append(out, s.id)
		out = appendULEB(out, uint64(len(s.payload)))
		out = append(out, s.payload...)
	}
	return out
}

// sectionOrder is the position a known section must take in a module
// (custom sections may appear anywhere and have no position).
func sectionOrder(id byte) int {
	switch id {
	case secType:
		return 1
	case secImport:
		return 2
	case secFunction:
		return 3
	case secTable:
		return 4
	case secMemory:
		return 5
	case secTag:
		return 6
	case secGlobal:
		return 7
	case secExport:
		return 8
	case secStart:
		return 9
	case secElement:
		return 10
	case secDataCount:
		return 11
	case secCode:
		return 12
	case secData:
		return 13
	}
	return 0
}

// customSection is a parsed custom section.
type customSection struct {
	name    string
	content []byte
}

func parseCustom(payload []byte) (customSection, error) {
	r := &reader{buf: payload}
	name, err := r.name()
	if err != nil {
		return customSection{}, fmt.Errorf("custom section name: %w", err)
	}
	return customSection{name: name, content: payload[r.pos:]}, nil
}
