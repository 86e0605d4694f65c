package mgmt

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/did"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// specDID is the interface spec 0.29's ic.did, copied verbatim from
// shared/reference/ic-spec/ic-0.29.did (dfinity/interface-spec @ b7cbca2).
const specDID = "testdata/ic-0.29.did"

// notServed are the spec's methods this replica does not provide (a call
// gets a clear reject). Every other spec method must be in the table.
var notServed = map[string]bool{
	"http_request": true, "ecdsa_public_key": true, "sign_with_ecdsa": true,
	"schnorr_public_key": true, "sign_with_schnorr": true,
	"bitcoin_get_balance": true, "bitcoin_get_utxos": true, "bitcoin_send_transaction": true,
	"bitcoin_get_current_fee_percentiles": true, "bitcoin_get_block_headers": true,
	"node_metrics_history": true,
}

// TestCandidIsTheSpecs holds every method's argument and result Go types to
// the spec's ic.did: a field renamed, retyped or missing fails here.
// Arguments must accept all the spec's fields (ours may add opt fields of
// newer spec versions); results must carry all of them (ours may add more).
func TestCandidIsTheSpecs(t *testing.T) {
	spec := loadSpec(t)
	for _, name := range spec.names {
		sig := spec.methods[name]
		m, ok := Lookup(name)
		if !ok {
			if !notServed[name] {
				t.Errorf("%s: in the spec but not served, and not listed as a known gap", name)
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			if m.Query != sig.query {
				t.Errorf("served as a query: %v; the spec says %v", m.Query, sig.query)
			}
			checkSide(t, "argument", m.run.arg, sig.args, argumentSide)
			checkSide(t, "result", m.run.result, sig.results, resultSide)
			if len(sig.args) == 1 {
				checkArgumentWire(t, m.run.arg, sig.args[0])
			}
		})
	}
	for name := range methods {
		if _, ok := spec.methods[name]; !ok {
			t.Errorf("%s: served but not in the spec's ic.did", name)
		}
	}
}

// checkSide compares one side of a method (its values) with the spec's.
func checkSide(t *testing.T, side string, ours reflect.Type, spec []idl.Type, dir direction) {
	t.Helper()
	if ours == reflect.TypeFor[none]() {
		if len(spec) != 0 {
			t.Errorf("%s: none here, the spec has %d values", side, len(spec))
		}
		return
	}
	if len(spec) != 1 {
		t.Fatalf("%s: one value here, the spec has %d", side, len(spec))
	}
	typ, err := idl.TypeOf(reflect.New(ours).Elem().Interface())
	if err != nil {
		t.Fatalf("%s: the Go type has no Candid type: %v", side, err)
	}
	for _, problem := range conforms(side, typ, spec[0], dir) {
		t.Error(problem)
	}
}

type direction int

const (
	// argumentSide: the spec's value is decoded into ours.
	argumentSide direction = iota
	// resultSide: our value is decoded by a client that knows the spec's type.
	resultSide
)

// conforms lists where ours departs from spec. It is stricter than Candid
// subtyping on purpose: a spec field that ours lacks is an error even when
// it is opt, since Candid would silently read it as null.
func conforms(path string, ours, spec idl.Type, dir direction) []string {
	switch s := spec.(type) {
	case *idl.RecordType:
		o, ok := ours.(*idl.RecordType)
		if !ok {
			return []string{fmt.Sprintf("%s: %s here, the spec has a record", path, ours)}
		}
		return conformFields(path, o.Fields, s.Fields, dir, false)
	case *idl.VariantType:
		o, ok := ours.(*idl.VariantType)
		if !ok {
			return []string{fmt.Sprintf("%s: %s here, the spec has a variant", path, ours)}
		}
		return conformFields(path, o.Fields, s.Fields, dir, true)
	case *idl.OptionalType:
		o, ok := ours.(*idl.OptionalType)
		if !ok {
			return []string{fmt.Sprintf("%s: %s here, the spec has an opt", path, ours)}
		}
		return conforms(path+"?", o.Type, s.Type, dir)
	case *idl.VectorType:
		o, ok := ours.(*idl.VectorType)
		if !ok {
			return []string{fmt.Sprintf("%s: %s here, the spec has a vec", path, ours)}
		}
		return conforms(path+"[]", o.Type, s.Type, dir)
	}
	if ours.String() != spec.String() {
		return []string{fmt.Sprintf("%s: %s here, the spec has %s", path, ours, spec)}
	}
	return nil
}

// conformFields compares record fields or variant cases. Every spec field
// must be ours. Extra fields of ours: in an argument record they must be
// opt (a client of the spec sends none); in a result variant they are an
// error (a client of the spec cannot decode them).
func conformFields(path string, ours, spec []idl.FieldType, dir direction, variant bool) []string {
	byName := map[string]idl.Type{}
	for _, f := range ours {
		byName[f.Name] = f.Type
	}
	var problems []string
	inSpec := map[string]bool{}
	for _, f := range spec {
		inSpec[f.Name] = true
		o, ok := byName[f.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s.%s: missing here (spec: %s)", path, f.Name, f.Type))
			continue
		}
		problems = append(problems, conforms(path+"."+f.Name, o, f.Type, dir)...)
	}
	for _, f := range ours {
		if inSpec[f.Name] {
			continue
		}
		_, isOpt := f.Type.(*idl.OptionalType)
		switch {
		case variant && dir == resultSide:
			problems = append(problems, fmt.Sprintf("%s.%s: a case the spec's clients cannot decode", path, f.Name))
		case !variant && dir == argumentSide && !isOpt:
			problems = append(problems, fmt.Sprintf("%s.%s: required here, absent from the spec", path, f.Name))
		}
	}
	return problems
}

// checkArgumentWire sends spec-typed arguments through agent-go's Candid:
// encoded with the spec's type, decoded into our Go type, encoded again
// with the spec's type — the bytes must be the same, so no field is lost
// or renamed. Each round picks another case of every variant.
func checkArgumentWire(t *testing.T, ours reflect.Type, spec idl.Type) {
	t.Helper()
	for k := 0; k < 3; k++ {
		want, err := candid.Encode([]idl.Type{spec}, []any{sample(spec, k)})
		if err != nil {
			t.Fatalf("encode a spec value: %v", err)
		}
		v := reflect.New(ours)
		if err := candid.Unmarshal(want, []any{v.Interface()}); err != nil {
			t.Fatalf("the spec's argument does not decode here: %v", err)
		}
		got, err := candid.Encode([]idl.Type{spec}, []any{v.Elem().Interface()})
		if err != nil {
			t.Fatalf("our decoded argument does not encode at the spec's type: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("round %d: the argument changed on its way through our type:\n spec %x\n ours %x", k, want, got)
		}
	}
}

// sample is a value of type t with every opt present and case k of every
// variant (modulo its width), so a missing field shows.
func sample(t idl.Type, k int) any {
	switch t := t.(type) {
	case *idl.RecordType:
		m := map[string]any{}
		for _, f := range t.Fields {
			m[f.Name] = sample(f.Type, k)
		}
		return m
	case *idl.VariantType:
		f := t.Fields[k%len(t.Fields)]
		return idl.Variant{Name: f.Name, Value: sample(f.Type, k)}
	case *idl.OptionalType:
		return sample(t.Type, k)
	case *idl.VectorType:
		if t.Type.String() == "nat8" {
			return []byte{byte(k), 1, 2}
		}
		return []any{sample(t.Type, k)}
	case *idl.PrincipalType:
		return principal.Principal{Raw: []byte{1, 2, byte(k)}}
	case *idl.NullType:
		return idl.Null{}
	case *idl.BoolType:
		return k%2 == 0
	case *idl.TextType:
		return fmt.Sprintf("text%d", k)
	}
	switch t.String() {
	case "nat":
		return idl.NewNat(uint64(7 + k))
	case "nat64":
		return uint64(7 + k)
	case "nat32":
		return uint32(7 + k)
	case "nat8":
		return uint8(7 + k)
	}
	panic("sample: no value for " + t.String())
}

// spec is the service of ic.did with its types resolved.
type spec struct {
	names   []string
	methods map[string]signature
}

type signature struct {
	args, results []idl.Type
	query         bool // annotated query
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	desc, err := did.ParseDIDFile(specDID)
	if err != nil {
		t.Fatalf("parse %s: %v", specDID, err)
	}
	defs := map[string]did.Data{}
	for _, d := range desc.Definitions {
		if ty, ok := d.(did.Type); ok {
			defs[ty.Id] = ty.Data
		}
	}
	r := resolver{defs: defs}
	s := spec{methods: map[string]signature{}}
	for _, svc := range desc.Services {
		for _, m := range svc.Methods {
			if m.Func == nil {
				t.Fatalf("%s: not a function type", m.Name)
			}
			s.names = append(s.names, m.Name)
			s.methods[m.Name] = signature{
				args: r.tuple(m.Func.ArgTypes), results: r.tuple(m.Func.ResTypes),
				query: m.Func.Annotation != nil && *m.Func.Annotation == did.AnnQuery,
			}
		}
	}
	sort.Strings(s.names)
	if len(s.names) == 0 {
		t.Fatalf("%s declares no service methods", specDID)
	}
	return s
}

// resolver turns ic.did's syntax into agent-go's Candid types.
type resolver struct{ defs map[string]did.Data }

func (r resolver) tuple(args did.Tuple) []idl.Type {
	out := make([]idl.Type, len(args))
	for i, a := range args {
		out[i] = r.typ(a.Data)
	}
	return out
}

func (r resolver) typ(d did.Data) idl.Type {
	switch d := d.(type) {
	case did.DataId:
		return r.typ(r.defs[string(d)])
	case did.Blob:
		return idl.NewVectorType(idl.Nat8Type())
	case did.Principal:
		return new(idl.PrincipalType)
	case did.Optional:
		return idl.NewOptionalType(r.typ(d.Data))
	case did.Vector:
		return idl.NewVectorType(r.typ(d.Data))
	case did.Record:
		return idl.NewRecordType(r.fields(d))
	case did.Variant:
		return idl.NewVariantType(r.fields(d))
	case did.Func:
		// Only http_request's transform has one; that method is not served.
		return new(idl.ReservedType)
	case did.Primitive:
		return primitive(string(d))
	}
	panic(fmt.Sprintf("ic.did: no Candid type for %T %v", d, d))
}

func (r resolver) fields(fs []did.Field) map[string]idl.Type {
	out := map[string]idl.Type{}
	for _, f := range fs {
		switch {
		case f.Name != nil && f.Data != nil:
			out[*f.Name] = r.typ(*f.Data)
		case f.Name != nil && f.NameData != nil: // name : type_name
			out[*f.Name] = r.typ(did.DataId(*f.NameData))
		case f.NameData != nil: // a variant case without a value
			out[*f.NameData] = new(idl.NullType)
		default:
			panic("ic.did: a field without a name: " + f.String())
		}
	}
	return out
}

func primitive(name string) idl.Type {
	switch strings.TrimSpace(name) {
	case "nat":
		return new(idl.NatType)
	case "nat8":
		return idl.Nat8Type()
	case "nat32":
		return idl.Nat32Type()
	case "nat64":
		return idl.Nat64Type()
	case "text":
		return new(idl.TextType)
	case "bool":
		return new(idl.BoolType)
	case "null":
		return new(idl.NullType)
	}
	panic("ic.did: unknown primitive " + name)
}
