package main

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/canistry/canistry/canisters/personal"
)

func TestReleaseModuleOfAPersonalRelease(t *testing.T) {
	wasm := personal.MustWasm("3.0.0")
	m, err := newReleaseModule(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if !m.eop {
		t.Errorf("personal 3.0.0 has no %q section: built with enhanced orthogonal persistence, it must", eopSection)
	}
	if sum := sha256.Sum256(wasm); !bytes.Equal(m.sha256, sum[:]) {
		t.Error("sha256 is not the module's")
	}
	if want := (len(wasm) + chunkSize - 1) / chunkSize; len(m.chunks) != want || len(m.chunkHashes) != want {
		t.Fatalf("%d chunks, %d hashes of a %d-byte module; want %d", len(m.chunks), len(m.chunkHashes), len(wasm), want)
	}
	if got := bytes.Join(m.chunks, nil); !bytes.Equal(got, wasm) {
		t.Error("the chunks do not make up the module")
	}
	for i, c := range m.chunks {
		if h := sha256.Sum256(c); !bytes.Equal(h[:], m.chunkHashes[i]) || len(c) > chunkSize {
			t.Errorf("chunk %d: %d bytes, hash mismatch %v", i, len(c), !bytes.Equal(h[:], m.chunkHashes[i]))
		}
	}
}

func TestReleaseModuleRefusals(t *testing.T) {
	plain := append(append([]byte{}, wasmHeader...), 0x00, 0x03, 0x01, 'x', 'y') // a custom section "x" with content "y"
	if m, err := newReleaseModule(plain); err != nil || m.eop || len(m.chunks) != 1 {
		t.Errorf("a tiny module without EOP: %+v, %v", m, err)
	}
	for name, tc := range map[string]struct {
		wasm []byte
		want string
	}{
		"not wasm":  {[]byte("hello"), "not a WebAssembly module"},
		"gzipped":   {[]byte{0x1f, 0x8b, 8, 0}, "gzipped"},
		"truncated": {append(append([]byte{}, wasmHeader...), 0x01, 0x7f), "runs past the end"},
		"too large": {make([]byte, maxModuleSize+1), "at most"},
	} {
		if _, err := newReleaseModule(tc.wasm); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
}
