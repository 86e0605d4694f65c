package canisters

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
)

var wasmMagic = []byte("\x00asm\x01\x00\x00\x00")

func TestTestCanistersAreEmbedded(t *testing.T) {
	paths := WasmPaths()
	for _, want := range []string{
		"test/counter/canister.wasm",
		"test/counter2/canister.wasm",
		"test/incompatible/canister.wasm",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("WasmPaths() = %v, missing %q", paths, want)
		}
	}
}

func TestEmbeddedWasmIsAModuleWithPublicCandid(t *testing.T) {
	for _, p := range WasmPaths() {
		t.Run(p, func(t *testing.T) {
			wasm := MustWasm(p)
			if !bytes.HasPrefix(wasm, wasmMagic) {
				t.Fatalf("starts with % x, want the wasm magic and version % x", wasm[:min(8, len(wasm))], wasmMagic)
			}
			sections, err := customSections(wasm)
			if err != nil {
				t.Fatalf("parse sections: %v", err)
			}
			did, err := Candid(p)
			if err != nil {
				t.Fatalf("Candid: %v", err)
			}
			service, ok := sections["icp:public candid:service"]
			if !ok {
				t.Fatalf("no public candid:service section; have %v", keys(sections))
			}
			if !describesSameService(string(service), did) {
				t.Errorf("candid:service section does not match canister.did:\n%s\nvs\n%s", service, did)
			}
			// personal/<version>/ canisters declare protocol "personal/<version>"
			// in canister.json; the test canisters declare none.
			protocol, hasProtocol := sections["icp:public canistry:protocol"]
			switch {
			case strings.HasPrefix(p, "personal/") && string(protocol) != path.Dir(p):
				t.Errorf("canistry:protocol = %q (present %v), want %q", protocol, hasProtocol, path.Dir(p))
			case strings.HasPrefix(p, "test/") && hasProtocol:
				t.Errorf("test canister has a canistry:protocol section %q", protocol)
			}
			if _, ok := sections["icp:private enhanced-orthogonal-persistence"]; !ok {
				t.Errorf("not an EOP module; custom sections %v", keys(sections))
			}
		})
	}
}

func TestWasmReturnsACopy(t *testing.T) {
	first := MustWasm("test/counter/canister.wasm")
	first[0] = 0xff
	if second := MustWasm("test/counter/canister.wasm"); second[0] != 0 {
		t.Fatal("modifying a returned slice changed the embedded module")
	}
}

func TestWasmRejectsUnknownPaths(t *testing.T) {
	for _, p := range []string{
		"test/nope/canister.wasm",
		"test/counter/main.mo",
		"/test/counter/canister.wasm",
		"test/../test/counter/canister.wasm",
		"",
	} {
		if _, err := Wasm(p); !errors.Is(err, ErrUnknownCanister) {
			t.Errorf("Wasm(%q) error = %v, want ErrUnknownCanister", p, err)
		}
	}
}

func TestMustWasmPanicsOnUnknownPath(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustWasm of an unknown path did not panic")
		}
	}()
	MustWasm("test/nope/canister.wasm")
}

// describesSameService reports whether the methods of the candid:service
// section appear in canister.did. They are not equal text for actor classes:
// the section holds the instantiated service type, while canister.did (moc's
// --idl output) also names the init arguments, `service : (init) -> T`.
func describesSameService(section, did string) bool {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	body := squash(section)
	if i := strings.LastIndex(body, "service:"); i >= 0 {
		body = body[i+len("service:"):]
	}
	return strings.HasPrefix(body, "{") && strings.Contains(squash(did), body)
}

// customSections maps each custom section name to its contents, walking the
// module's section headers (id byte, LEB128 size).
func customSections(wasm []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	rest := wasm[len(wasmMagic):]
	for len(rest) > 0 {
		id := rest[0]
		size, n := binary.Uvarint(rest[1:])
		if n <= 0 || uint64(len(rest)-1-n) < size {
			return nil, fmt.Errorf("bad size of section %d", id)
		}
		body := rest[1+n : 1+n+int(size)]
		rest = rest[1+n+int(size):]
		if id != 0 {
			continue
		}
		nameLen, m := binary.Uvarint(body)
		if m <= 0 || uint64(len(body)-m) < nameLen {
			return nil, errors.New("bad custom section name")
		}
		out[string(body[m:m+int(nameLen)])] = body[m+int(nameLen):]
	}
	return out, nil
}

func keys(m map[string][]byte) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
