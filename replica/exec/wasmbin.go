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

// importEntry is one import. Only function imports carry a type index; the
// replica refuses every other kind, so their descriptors are not decoded.
type importEntry struct {
	module, name string
	kind         byte
}

func parseImports(payload []byte) ([]importEntry, error) {
	r := &reader{buf: payload}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	var out []importEntry
	for i := uint32(0); i < n; i++ {
		var e importEntry
		if e.module, err = r.name(); err != nil {
			return nil, err
		}
		if e.name, err = r.name(); err != nil {
			return nil, err
		}
		if e.kind, err = r.byte(); err != nil {
			return nil, err
		}
		out = append(out, e)
		if e.kind != externFunc {
			// Stop here: the descriptor of a non-function import is not
			// needed, because validation refuses the module anyway.
			return out, nil
		}
		if _, err := r.u32(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// memoryLimits describes a memory declaration.
type memoryLimits struct {
	is64     bool
	min      uint64
	max      uint64
	hasMax   bool
	isShared bool
}

func parseMemories(payload []byte) ([]memoryLimits, error) {
	r := &reader{buf: payload}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	var out []memoryLimits
	for i := uint32(0); i < n; i++ {
		flags, err := r.byte()
		if err != nil {
			return nil, err
		}
		if flags&^0x0f != 0 {
			return nil, fmt.Errorf("memory %d: unsupported limits flags %#x", i, flags)
		}
		m := memoryLimits{is64: flags&0x04 != 0, hasMax: flags&0x01 != 0, isShared: flags&0x02 != 0}
		if flags&0x08 != 0 {
			return nil, fmt.Errorf("memory %d: custom page sizes are not supported", i)
		}
		if m.min, err = r.uleb(64); err != nil {
			return nil, err
		}
		if m.hasMax {
			if m.max, err = r.uleb(64); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// countVec reads the element count of a vector section (tables).
func countVec(payload []byte) (uint32, error) {
	r := &reader{buf: payload}
	return r.u32()
}

// globalEntry is a module-defined global: its value type byte and mutability.
type globalEntry struct {
	valType byte
	mutable bool
}

func parseGlobals(payload []byte) ([]globalEntry, error) {
	r := &reader{buf: payload}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := make([]globalEntry, 0, n)
	for i := uint32(0); i < n; i++ {
		vt, err := readValType(r)
		if err != nil {
			return nil, fmt.Errorf("global %d: %w", i, err)
		}
		mut, err := r.byte()
		if err != nil {
			return nil, err
		}
		if mut > 1 {
			return nil, fmt.Errorf("global %d: bad mutability %#x", i, mut)
		}
		if err := skipConstExpr(r); err != nil {
			return nil, fmt.Errorf("global %d initializer: %w", i, err)
		}
		out = append(out, globalEntry{valType: vt, mutable: mut == 1})
	}
	return out, nil
}

// readValType reads a value type; reference types with a heap type
// immediate (typed function references, GC) are read but reported by their
// leading byte.
func readValType(r *reader) (byte, error) {
	b, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch b {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
		return b, nil
	case 0x63, 0x64: // (ref null ht) / (ref ht)
		return b, r.skipLEB()
	}
	return 0, fmt.Errorf("unknown value type %#x", b)
}

// skipConstExpr skips a constant expression up to and including its end
// opcode. It knows the MVP constants, global.get, reference constants,
// extended-const arithmetic and v128.const.
func skipConstExpr(r *reader) error {
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41, 0x42, 0x23, 0xd2: // i32.const, i64.const, global.get, ref.func
			err = r.skipLEB()
		case 0x43: // f32.const
			_, err = r.bytes(4)
		case 0x44: // f64.const
			_, err = r.bytes(8)
		case 0xd0: // ref.null heaptype
			err = r.skipLEB()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const add/sub/mul
		case 0xfd: // v128.const
			var sub uint64
			if sub, err = r.uleb(32); err == nil {
				if sub != 12 {
					return fmt.Errorf("unsupported constant opcode 0xfd %d", sub)
				}
				_, err = r.bytes(16)
			}
		default:
			return fmt.Errorf("unsupported constant opcode %#x", op)
		}
		if err != nil {
			return err
		}
	}
}

// exportEntry is one export.
type exportEntry struct {
	name  string
	kind  byte
	index uint32
}

func parseExports(payload []byte) ([]exportEntry, error) {
	r := &reader{buf: payload}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := make([]exportEntry, 0, n)
	for i := uint32(0); i < n; i++ {
		var e exportEntry
		if e.name, err = r.name(); err != nil {
			return nil, err
		}
		if e.kind, err = r.byte(); err != nil {
			return nil, err
		}
		if e.index, err = r.u32(); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if !r.done() {
		return nil, errors.New("trailing bytes in export section")
	}
	return out, nil
}

func encodeExports(exports []exportEntry) []byte {
	out := appendULEB(nil, uint64(len(exports)))
	for _, e := range exports {
		out = appendName(out, e.name)
		out = append(out, e.kind)
		out = appendULEB(out, uint64(e.index))
	}
	return out
}

func parseStart(payload []byte) (uint32, error) {
	r := &reader{buf: payload}
	idx, err := r.u32()
	if err != nil {
		return 0, err
	}
	if !r.done() {
		return 0, errors.New("trailing bytes in start section")
	}
	return idx, nil
}
