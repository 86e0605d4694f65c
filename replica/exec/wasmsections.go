package exec

import (
	"errors"
	"fmt"
)

// Parsers of the sections the replica reads (imports, memories, globals,
// exports, start). Their entries are decoded only as far as validation and
// instrumentation need.

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
