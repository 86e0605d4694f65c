package mgmt

import (
	"bytes"
	"errors"
	"reflect"
	"strings"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
)

// agent-go's Candid decoder boxes every byte of a blob and appends it by
// reflection: a 400 KB wasm module costs ~40 ms to decode, most of an
// install. decodeBlobs lifts the large blobs that are fields of the
// argument record out of the payload (an empty blob left in their place),
// lets agent-go decode the rest, and sets the lifted bytes on the struct's
// []byte fields of the same Candid field id (or drops them where the struct
// has no such field, as agent-go does). Anything it does not fully
// understand makes it report ok=false, and the caller decodes as before,
// so it changes only how fast a payload decodes, never what it decodes to.

// minLiftedBlob is the smallest blob worth lifting.
const minLiftedBlob = 1024

// Candid type opcodes (spec "Binary Format").
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
	opOpt       = -18
	opVec       = -19
	opRecord    = -20
	opVariant   = -21
	opFunc      = -22
	opService   = -23
	opPrincipal = -24
)

var errNotLiftable = errors.New("not liftable")

type ctype struct {
	op     int64
	elem   int64    // opt, vec
	ids    []uint64 // record, variant: field ids
	fields []int64  // record, variant: field types
}

type lifted struct {
	id         uint64
	start, end int // of the value (length prefix included) in the payload
	data       []byte
}

// decodeBlobs decodes arg into v (a pointer to a struct) as
// candid.Unmarshal does; ok is false when it did not decode (then nothing
// was set and the caller decodes the usual way).
func decodeBlobs(arg []byte, v any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	blobs, err := findBlobs(arg)
	if err != nil || len(blobs) == 0 {
		return false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	// A lifted field the struct lacks is dropped, as agent-go drops
	// record fields a struct does not name.
	targets := make([]reflect.Value, len(blobs))
	for i, b := range blobs {
		f, found := fieldByID(rv.Elem(), b.id)
		if found && f.Type() != reflect.TypeOf([]byte(nil)) {
			return false
		}
		targets[i] = f
	}
	var shrunk bytes.Buffer
	last := 0
	for _, b := range blobs {
		shrunk.Write(arg[last:b.start])
		shrunk.WriteByte(0) // an empty vec
		last = b.end
	}
	shrunk.Write(arg[last:])
	fresh := reflect.New(rv.Elem().Type())
	if err := candid.Unmarshal(shrunk.Bytes(), []any{fresh.Interface()}); err != nil {
		return false
	}
	rv.Elem().Set(fresh.Elem())
	for i, b := range blobs {
		if targets[i].IsValid() {
			targets[i].SetBytes(bytes.Clone(b.data))
		}
	}
	return true
}

// fieldByID is the field of s whose ic tag name hashes to id.
func fieldByID(s reflect.Value, id uint64) (reflect.Value, bool) {
	t := s.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("ic"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		if h := idl.Hash(name); h.IsUint64() && h.Uint64() == id {
			return s.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// findBlobs lists the vec nat8 fields of at least minLiftedBlob bytes of
// the payload's one argument, a record.
func findBlobs(arg []byte) ([]lifted, error) {
	p := &cparser{b: arg}
	if !bytes.HasPrefix(arg, []byte("DIDL")) {
		return nil, errNotLiftable
	}
	p.at = 4
	if err := p.types(); err != nil {
		return nil, err
	}
	n, err := p.uleb()
	if err != nil || n != 1 {
		return nil, errNotLiftable
	}
	top, err := p.sleb()
	if err != nil || top < 0 || top >= int64(len(p.table)) || p.table[top].op != opRecord {
		return nil, errNotLiftable
	}
	rec := p.table[top]
	var out []lifted
	for i, ft := range rec.fields {
		start := p.at
		if ft >= 0 && p.table[ft].op == opVec && p.table[ft].elem == opNat8 {
			l, err := p.uleb()
			if err != nil || l > uint64(len(p.b)-p.at) {
				return nil, errNotLiftable
			}
			data := p.b[p.at : p.at+int(l)]
			p.at += int(l)
			if l >= minLiftedBlob {
				out = append(out, lifted{id: rec.ids[i], start: start, end: p.at, data: data})
			}
			continue
		}
		if err := p.skip(ft, 0); err != nil {
			return nil, err
		}
	}
	if p.at != len(p.b) {
		return nil, errNotLiftable
	}
	return out, nil
}

type cparser struct {
	b     []byte
	at    int
	table []ctype
}

func (p *cparser) byte1() (byte, error) {
	if p.at >= len(p.b) {
		return 0, errNotLiftable
	}
	c := p.b[p.at]
	p.at++
	return c, nil
}

func (p *cparser) uleb() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := p.byte1()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errNotLiftable
}

func (p *cparser) sleb() (int64, error) {
	var v int64
	for shift := 0; shift < 64; shift += 7 {
		c, err := p.byte1()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
	return 0, errNotLiftable
}

func (p *cparser) advance(n uint64) error {
	if n > uint64(len(p.b)-p.at) {
		return errNotLiftable
	}
	p.at += int(n)
	return nil
}

// types reads the type table.
func (p *cparser) types() error {
	n, err := p.uleb()
	if err != nil || n > 1000 {
		return errNotLiftable
	}
	for range n {
		op, err := p.sleb()
		if err != nil {
			return err
		}
		t := ctype{op: op}
		switch op {
		case opOpt, opVec:
			if t.elem, err = p.sleb(); err != nil {
				return err
			}
		case opRecord, opVariant:
			k, err := p.uleb()
			if err != nil || k > 1000 {
				return errNotLiftable
			}
			for range k {
				id, err := p.uleb()
				if err != nil {
					return err
				}
				ft, err := p.sleb()
				if err != nil {
					return err
				}
				t.ids, t.fields = append(t.ids, id), append(t.fields, ft)
			}
		default:
			// func, service and future types: decoded the usual way.
			return errNotLiftable
		}
		p.table = append(p.table, t)
	}
	for _, t := range p.table {
		for _, ref := range append([]int64{t.elem}, t.fields...) {
			if ref >= int64(len(p.table)) {
				return errNotLiftable
			}
		}
	}
	return nil
}

// skip reads past one value of type t.
func (p *cparser) skip(t int64, depth int) error {
	if depth > 32 {
		return errNotLiftable
	}
	if t >= 0 {
		ct := p.table[t]
		switch ct.op {
		case opOpt:
			tag, err := p.byte1()
			if err != nil || tag > 1 {
				return errNotLiftable
			}
			if tag == 1 {
				return p.skip(ct.elem, depth+1)
			}
			return nil
		case opVec:
			n, err := p.uleb()
			if err != nil || n > uint64(len(p.b)-p.at) {
				return errNotLiftable // also refuses long vectors of empty values
			}
			for range n {
				if err := p.skip(ct.elem, depth+1); err != nil {
					return err
				}
			}
			return nil
		case opRecord:
			for _, ft := range ct.fields {
				if err := p.skip(ft, depth+1); err != nil {
					return err
				}
			}
			return nil
		case opVariant:
			i, err := p.uleb()
			if err != nil || i >= uint64(len(ct.fields)) {
				return errNotLiftable
			}
			return p.skip(ct.fields[i], depth+1)
		}
		return errNotLiftable
	}
	switch t {
	case opNull, opReserved:
		return nil
	case opBool, opNat8, opInt8:
		return p.advance(1)
	case opNat16, opInt16:
		return p.advance(2)
	case opNat32, opInt32, opFloat32:
		return p.advance(4)
	case opNat64, opInt64, opFloat64:
		return p.advance(8)
	case opNat:
		_, err := p.uleb()
		return err
	case opInt:
		_, err := p.sleb()
		return err
	case opText:
		n, err := p.uleb()
		if err != nil {
			return err
		}
		return p.advance(n)
	case opPrincipal:
		flag, err := p.byte1()
		if err != nil || flag != 1 {
			return errNotLiftable
		}
		n, err := p.uleb()
		if err != nil {
			return err
		}
		return p.advance(n)
	}
	return errNotLiftable
}
