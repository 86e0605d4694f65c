package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
)

// The limits of a release module, as the registry enforces them: chunks
// of at most 1 MiB keep every upload call within the IC's 2 MiB message
// limit; the module at most 10 MiB.
const (
	chunkSize     = 1 << 20
	maxModuleSize = 10 << 20
)

// eopSection is the custom section moc writes into a module built with
// enhanced orthogonal persistence (its content is e.g. "64-bit"); such a
// module must be upgraded with wasm_memory_persistence = keep.
const eopSection = "icp:private enhanced-orthogonal-persistence"

// releaseModule is a wasm module cut into upload chunks.
type releaseModule struct {
	sha256      []byte
	chunks      [][]byte
	chunkHashes [][]byte
	eop         bool
}

func newReleaseModule(wasm []byte) (*releaseModule, error) {
	if len(wasm) > maxModuleSize {
		return nil, fmt.Errorf("the module is %d bytes; a release is at most %d (10 MiB)", len(wasm), maxModuleSize)
	}
	sections, err := customSections(wasm)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(wasm)
	m := &releaseModule{sha256: sum[:], eop: sections[eopSection]}
	for off := 0; off < len(wasm); off += chunkSize {
		c := wasm[off:min(off+chunkSize, len(wasm))]
		h := sha256.Sum256(c)
		m.chunks, m.chunkHashes = append(m.chunks, c), append(m.chunkHashes, h[:])
	}
	return m, nil
}

var wasmHeader = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// customSections lists the names of a module's custom sections (a
// gzipped module is refused: the registry installs modules as uploaded).
func customSections(wasm []byte) (map[string]bool, error) {
	if !bytes.HasPrefix(wasm, wasmHeader) {
		if bytes.HasPrefix(wasm, []byte{0x1f, 0x8b}) {
			return nil, errors.New("the file is gzipped; upload the plain .wasm module")
		}
		return nil, errors.New("not a WebAssembly module (no \\0asm version 1 header)")
	}
	names := map[string]bool{}
	b := wasm[len(wasmHeader):]
	for len(b) > 0 {
		id := b[0]
		size, n := uleb(b[1:])
		if n == 0 || uint64(len(b)-1-n) < size {
			return nil, errors.New("not a WebAssembly module: a section runs past the end")
		}
		body := b[1+n : 1+n+int(size)]
		b = b[1+n+int(size):]
		if id != 0 {
			continue
		}
		l, m := uleb(body)
		if m == 0 || uint64(len(body)-m) < l {
			return nil, errors.New("not a WebAssembly module: a custom section's name runs past it")
		}
		names[string(body[m:m+int(l)])] = true
	}
	return names, nil
}

// uleb reads an unsigned LEB128 of at most 5 bytes (wasm's u32); n is 0
// when there is none.
func uleb(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 5; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
