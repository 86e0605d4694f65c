// Package candidguard refuses, before agent-go decodes it, a Candid message
// that no canister of a Canistry protocol could have produced: too many
// types, recursive or deeply nested types, absurdly long numbers, or more
// values than its bytes could honestly hold. agent-go decodes whatever it
// is given, and a hostile canister's 83 KB reply of nested types or one
// 100 KB number cost seconds of an adapter's CPU that every canister of that
// version shares. The walk here is linear in the message and allocates
// nothing per value.
package candidguard

import (
	"bytes"
	"errors"
	"fmt"
)

// Limits bound a message. The zero value takes the defaults.
type Limits struct {
	// MaxBytes bounds the whole message (default 3 MiB: the IC answers at
	// most 2 MiB).
	MaxBytes int
	// MaxTypes bounds the type table (default 256; the personal canister's
	// richest reply uses about 20).
	MaxTypes int
	// MaxDepth bounds how deeply composite types nest (default 32).
	MaxDepth int
	// MaxValues bounds how many values the message holds, vector elements
	// included (default 1<<20).
	MaxValues int
	// MaxNumberBytes bounds a nat's or int's LEB128 encoding (default 32
	// bytes: numbers below 2^224).
	MaxNumberBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 3 << 20
	}
	if l.MaxTypes <= 0 {
		l.MaxTypes = 256
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 32
	}
	if l.MaxValues <= 0 {
		l.MaxValues = 1 << 20
	}
	if l.MaxNumberBytes <= 0 {
		l.MaxNumberBytes = 32
	}
	return l
}

// The Candid type opcodes (Candid spec, "Binary format").
const (
	opNull      = -1
	opBool      = -2
	opNat       = -3
	opInt       = -4
	opNat8      = -5
	opNat16     = -6
	opNat32     = -7
	opNat64     = -8
	opInt8      = -9
	opInt16     = -10
	opInt32     = -11
	opInt64     = -12
	opFloat32   = -13
	opFloat64   = -14
	opText      = -15
	opReserved  = -16
	opEmpty     = -17
	opOpt       = -18
	opVec       = -19
	opRecord    = -20
	opVariant   = -21
	opFunc      = -22
	opService   = -23
	opPrincipal = -24
)

// typ is one entry of the type table: its opcode and the types it refers
// to (the element of opt/vec, the fields of record/variant in order).
type typ struct {
	op   int64
	refs []int64
}

// Check returns nil for a well-formed message within l, and otherwise an
// error saying which bound it broke.
func Check(data []byte, l Limits) error {
	l = l.withDefaults()
	if len(data) > l.MaxBytes {
		return fmt.Errorf("candid message of %d bytes, at most %d", len(data), l.MaxBytes)
	}
	if !bytes.HasPrefix(data, []byte("DIDL")) {
		return errors.New("not a Candid message (no DIDL magic)")
	}
	w := &walker{r: reader{b: data[4:]}, lim: l}
	if err := w.readTable(); err != nil {
		return err
	}
	if err := w.checkGraph(); err != nil {
		return err
	}
	args, err := w.readArgTypes()
	if err != nil {
		return err
	}
	for _, t := range args {
		if err := w.value(t); err != nil {
			return err
		}
	}
	return nil
}

type walker struct {
	r      reader
	lim    Limits
	table  []typ
	values int
}

func (w *walker) readTable() error {
	n, err := w.r.uleb()
	if err != nil {
		return fmt.Errorf("type table: %w", err)
	}
	if n > uint64(w.lim.MaxTypes) {
		return fmt.Errorf("type table of %d types, at most %d", n, w.lim.MaxTypes)
	}
	w.table = make([]typ, 0, n)
	for range n {
		t, err := w.readType()
		if err != nil {
			return fmt.Errorf("type table entry %d: %w", len(w.table), err)
		}
		w.table = append(w.table, t)
	}
	return nil
}

func (w *walker) readType() (typ, error) {
	op, err := w.r.sleb()
	if err != nil {
		return typ{}, err
	}
	t := typ{op: op}
	switch op {
	case opOpt, opVec:
		ref, err := w.ref()
		t.refs = []int64{ref}
		return t, err
	case opRecord, opVariant:
		return t, w.readFields(&t)
	case opFunc:
		return t, w.readFunc()
	case opService:
		return t, w.readService()
	}
	if op < opPrincipal { // a future type: its bytes are skipped
		n, err := w.r.uleb()
		if err == nil {
			err = w.r.skip(n)
		}
		return t, err
	}
	return t, fmt.Errorf("opcode %d cannot stand in the type table", op)
}

func (w *walker) readFields(t *typ) error {
	n, err := w.r.uleb()
	if err != nil {
		return err
	}
	if n > uint64(w.lim.MaxTypes) {
		return fmt.Errorf("%d fields, at most %d", n, w.lim.MaxTypes)
	}
	for range n {
		if _, err := w.r.uleb(); err != nil { // field id
			return err
		}
		ref, err := w.ref()
		if err != nil {
			return err
		}
		t.refs = append(t.refs, ref)
	}
	return nil
}

func (w *walker) readFunc() error {
	for range 2 { // arguments, results
		n, err := w.r.uleb()
		if err != nil {
			return err
		}
		if n > uint64(w.lim.MaxTypes) {
			return fmt.Errorf("func of %d types, at most %d", n, w.lim.MaxTypes)
		}
		for range n {
			if _, err := w.ref(); err != nil {
				return err
			}
		}
	}
	n, err := w.r.uleb() // annotations, one byte each
	if err != nil {
		return err
	}
	return w.r.skip(n)
}

func (w *walker) readService() error {
	n, err := w.r.uleb()
	if err != nil {
		return err
	}
	if n > uint64(w.lim.MaxTypes) {
		return fmt.Errorf("service of %d methods, at most %d", n, w.lim.MaxTypes)
	}
	for range n {
		if err := w.skipBlob(); err != nil { // method name
			return err
		}
		if _, err := w.ref(); err != nil {
			return err
		}
	}
	return nil
}

// ref reads a type reference: a primitive opcode or an index into the
// table (checked once the table is complete).
func (w *walker) ref() (int64, error) {
	ref, err := w.r.sleb()
	if err != nil {
		return 0, err
	}
	if ref < opPrincipal {
		return 0, fmt.Errorf("type reference %d is no type", ref)
	}
	return ref, nil
}

// checkGraph refuses references past the table, recursive types (no
// Canistry protocol uses one, and they let a few bytes of types nest values
// without bound) and nesting deeper than MaxDepth.
func (w *walker) checkGraph() error {
	depth := make([]int, len(w.table)) // 0 unvisited, -1 on the path, >0 done
	var visit func(i int64) (int, error)
	visit = func(i int64) (int, error) {
		if i < 0 {
			return 0, nil
		}
		if i >= int64(len(w.table)) {
			return 0, fmt.Errorf("type reference %d past a table of %d", i, len(w.table))
		}
		switch depth[i] {
		case -1:
			return 0, fmt.Errorf("type %d is recursive", i)
		case 0:
		default:
			return depth[i], nil
		}
		depth[i] = -1
		d := 0
		for _, ref := range w.table[i].refs {
			sub, err := visit(ref)
			if err != nil {
				return 0, err
			}
			d = max(d, sub)
		}
		if d+1 > w.lim.MaxDepth {
			return 0, fmt.Errorf("types nest %d deep, at most %d", d+1, w.lim.MaxDepth)
		}
		depth[i] = d + 1
		return d + 1, nil
	}
	for i := range w.table {
		if _, err := visit(int64(i)); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) readArgTypes() ([]int64, error) {
	n, err := w.r.uleb()
	if err != nil {
		return nil, fmt.Errorf("argument types: %w", err)
	}
	if n > uint64(w.lim.MaxTypes) {
		return nil, fmt.Errorf("%d values, at most %d", n, w.lim.MaxTypes)
	}
	args := make([]int64, n)
	for i := range args {
		if args[i], err = w.ref(); err != nil {
			return nil, err
		}
		if args[i] >= int64(len(w.table)) {
			return nil, fmt.Errorf("value type %d past a table of %d", args[i], len(w.table))
		}
	}
	return args, nil
}

// value walks one value of type t. Recursion depth is bounded by
// checkGraph's MaxDepth.
func (w *walker) value(t int64) error {
	if w.values++; w.values > w.lim.MaxValues {
		return fmt.Errorf("more than %d values", w.lim.MaxValues)
	}
	if t >= 0 {
		return w.composite(w.table[t])
	}
	switch t {
	case opNull, opReserved:
		return nil
	case opBool, opNat8, opInt8:
		return w.r.skip(1)
	case opNat16, opInt16:
		return w.r.skip(2)
	case opNat32, opInt32, opFloat32:
		return w.r.skip(4)
	case opNat64, opInt64, opFloat64:
		return w.r.skip(8)
	case opNat, opInt:
		return w.number()
	case opText:
		return w.skipBlob()
	case opPrincipal:
		return w.reference()
	case opEmpty:
		return errors.New("a value of type empty")
	}
	return fmt.Errorf("type %d has no values", t)
}

func (w *walker) composite(t typ) error {
	switch t.op {
	case opOpt:
		present, err := w.r.byte()
		if err != nil || present == 0 {
			return err
		}
		if present != 1 {
			return fmt.Errorf("opt tag %d", present)
		}
		return w.value(t.refs[0])
	case opVec:
		n, err := w.r.uleb()
		if err != nil {
			return err
		}
		if n > uint64(w.lim.MaxValues) {
			return fmt.Errorf("vector of %d elements, at most %d values", n, w.lim.MaxValues)
		}
		for range n {
			if err := w.value(t.refs[0]); err != nil {
				return err
			}
		}
		return nil
	case opRecord:
		for _, f := range t.refs {
			if err := w.value(f); err != nil {
				return err
			}
		}
		return nil
	case opVariant:
		i, err := w.r.uleb()
		if err != nil {
			return err
		}
		if i >= uint64(len(t.refs)) {
			return fmt.Errorf("variant index %d of %d", i, len(t.refs))
		}
		return w.value(t.refs[i])
	case opFunc: // a tag, then for 1 the service reference and the method name
		tag, err := w.r.byte()
		if err != nil || tag == 0 {
			return err
		}
		if tag != 1 {
			return fmt.Errorf("func tag %d", tag)
		}
		if err := w.reference(); err != nil {
			return err
		}
		return w.skipBlob()
	case opService:
		return w.reference()
	}
	return fmt.Errorf("a value of future type %d", t.op)
}

// number checks a nat's or int's LEB128 length without building it.
func (w *walker) number() error {
	for n := 1; ; n++ {
		b, err := w.r.byte()
		if err != nil {
			return err
		}
		if b&0x80 == 0 {
			return nil
		}
		if n >= w.lim.MaxNumberBytes {
			return fmt.Errorf("a number of more than %d LEB128 bytes", w.lim.MaxNumberBytes)
		}
	}
}

// reference walks a principal (or the service part of a func): a tag,
// then for 1 the id bytes.
func (w *walker) reference() error {
	tag, err := w.r.byte()
	if err != nil || tag == 0 {
		return err
	}
	if tag != 1 {
		return fmt.Errorf("reference tag %d", tag)
	}
	return w.skipBlob()
}

func (w *walker) skipBlob() error {
	n, err := w.r.uleb()
	if err != nil {
		return err
	}
	return w.r.skip(n)
}
