package exec

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/reject"
)

// Limits are instruction limits (wasmtime fuel) per message.
type Limits struct {
	Update, Query, Install, Inspect uint64
}

// DefaultLimits are the IC's limits.
var DefaultLimits = Limits{Update: 40e9, Query: 5e9, Install: 300e9, Inspect: 200e6}

// DefaultMaxStableMemory caps stable memory, which lives in Go memory.
const DefaultMaxStableMemory = 4 << 30

// DefaultMaxWasm64Memory is the IC's heap limit for wasm64 canisters (6 GiB).
const DefaultMaxWasm64Memory = 6 << 30

// Config configures an Engine. Zero fields take the defaults.
type Config struct {
	Limits Limits
	// MaxStableMemory is the largest stable memory in bytes; stable64_grow
	// beyond it returns -1.
	MaxStableMemory uint64
	// MaxWasm64Memory is the largest heap of a wasm64 canister in bytes
	// (wasm32 heaps are capped at 4 GiB by their address space);
	// memory.grow beyond it returns -1.
	MaxWasm64Memory uint64
	// RootKey is the DER-encoded root key returned by ic0.root_key_copy.
	RootKey []byte
	// ThresholdKeys are the chain keys whose fees ic0.cost_sign_with_ecdsa,
	// cost_sign_with_schnorr and cost_vetkd_derive_key report; other key
	// names get the spec's "invalid key name" answer (2).
	ThresholdKeys []ThresholdKey
}

// Engine compiles modules (with a cache keyed by module hash) and creates
// instances. It is safe for concurrent use.
type Engine struct {
	cfg      Config
	wasm     *wasmtime.Engine
	linker32 *wasmtime.Linker
	linker64 *wasmtime.Linker

	mu    sync.Mutex
	cache map[[32]byte]*Module
}

// NewEngine creates an engine with memory64 (which also enables table64),
// fuel metering and the proposals canister toolchains use.
func NewEngine(cfg Config) (*Engine, error) {
	cfg = withDefaults(cfg)
	wc := wasmtime.NewConfig()
	wc.SetWasmMemory64(true)
	wc.SetWasmMultiMemory(false)
	wc.SetWasmBulkMemory(true)
	wc.SetWasmMultiValue(true)
	wc.SetWasmReferenceTypes(true)
	wc.SetWasmSIMD(true)
	wc.SetConsumeFuel(true)
	e := &Engine{cfg: cfg, wasm: wasmtime.NewEngineWithConfig(wc), cache: map[[32]byte]*Module{}}
	var err error
	if e.linker32, err = e.newLinker(false); err != nil {
		return nil, fmt.Errorf("linking the 32-bit System API: %w", err)
	}
	if e.linker64, err = e.newLinker(true); err != nil {
		return nil, fmt.Errorf("linking the 64-bit System API: %w", err)
	}
	return e, nil
}

func withDefaults(cfg Config) Config {
	l := &cfg.Limits
	for _, f := range []struct {
		v *uint64
		d uint64
	}{
		{&l.Update, DefaultLimits.Update}, {&l.Query, DefaultLimits.Query},
		{&l.Install, DefaultLimits.Install}, {&l.Inspect, DefaultLimits.Inspect},
		{&cfg.MaxStableMemory, DefaultMaxStableMemory},
		{&cfg.MaxWasm64Memory, DefaultMaxWasm64Memory},
	} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
	return cfg
}

// Limits returns the effective per-message instruction limits.
func (e *Engine) Limits() Limits { return e.cfg.Limits }

// LimitFor is the default instruction limit of an invocation kind: what
// the replica reserves cycles for before the invocation runs.
func (e *Engine) LimitFor(k Kind) uint64 {
	switch k {
	case KindStart, KindInit, KindPreUpgrade, KindPostUpgrade:
		return e.cfg.Limits.Install
	case KindNonReplicatedQuery, KindReplicatedQuery, KindCompositeQuery:
		return e.cfg.Limits.Query
	case KindInspectMessage:
		return e.cfg.Limits.Inspect
	}
	return e.cfg.Limits.Update
}

// invalidWasm is the error of every module the replica refuses.
func invalidWasm(err error) *reject.Error {
	return reject.New(reject.CanisterInvalidWasm, "Canister's Wasm module is not valid: %v", err)
}

// Cached is the module compiled from the wasm whose SHA-256 is hash, if
// this engine has compiled it: what a canister restored from the store
// (which knows its module's hash) uses without reading and hashing the
// module again.
func (e *Engine) Cached(hash []byte) *Module {
	if len(hash) != sha256.Size {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cache[[32]byte(hash)]
}

// Compile validates, instruments and compiles a module (raw or gzipped).
// Compiled modules are cached by the hash of the uploaded bytes. Errors are
// *reject.Error with IC0505 CanisterInvalidWasm.
func (e *Engine) Compile(wasm []byte) (*Module, error) {
	hash := sha256.Sum256(wasm)
	e.mu.Lock()
	m, ok := e.cache[hash]
	e.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := e.compile(hash, wasm)
	if err != nil {
		return nil, invalidWasm(err)
	}
	e.mu.Lock()
	if cached, ok := e.cache[hash]; ok {
		m = cached // another goroutine won the race; keep one copy
	} else {
		e.cache[hash] = m
	}
	e.mu.Unlock()
	return m, nil
}

func (e *Engine) compile(hash [32]byte, wasm []byte) (*Module, error) {
	raw, err := decompress(wasm)
	if err != nil {
		return nil, err
	}
	parsed, err := parseModule(raw)
	if err != nil {
		return nil, err
	}
	m := &Module{Hash: hash, Wasm: append([]byte(nil), wasm...)}
	if err := m.describe(parsed); err != nil {
		return nil, err
	}
	instrumented, err := instrument(parsed, &m.layout)
	if err != nil {
		return nil, err
	}
	if m.compiled, err = wasmtime.NewModule(e.wasm, instrumented); err != nil {
		return nil, err
	}
	if err := checkLinkage(m.compiled, m.Is64); err != nil {
		return nil, err
	}
	return m, nil
}

// checkLinkage checks what wasmtime knows after compilation: every import is
// an ic0 function this replica provides, with the right type for the
// module's pointer width, and every canister_ export has type () -> ().
func checkLinkage(cm *wasmtime.Module, is64 bool) error {
	for _, im := range cm.Imports() {
		name := ""
		if n := im.Name(); n != nil {
			name = *n
		}
		hf, ok := lookupHostFunc(name, is64)
		if !ok {
			return fmt.Errorf("module imports ic0.%s, which this replica does not provide", name)
		}
		ft := im.Type().FuncType()
		if ft == nil || !sameSignature(ft, hf.funcType(is64)) {
			return fmt.Errorf("module imports ic0.%s with the wrong type (want %s)", name, hf.signature(is64))
		}
	}
	for _, ex := range cm.Exports() {
		name := ex.Name()
		if len(name) < 9 || name[:9] != "canister_" {
			continue
		}
		ft := ex.Type().FuncType()
		if ft == nil {
			continue // instrumentation exports: memory, table, globals
		}
		if len(ft.Params()) != 0 || len(ft.Results()) != 0 {
			return fmt.Errorf("exported function %q must have type () -> ()", name)
		}
	}
	return nil
}

func sameSignature(a, b *wasmtime.FuncType) bool {
	return sameKinds(a.Params(), b.Params()) && sameKinds(a.Results(), b.Results())
}

func sameKinds(a, b []*wasmtime.ValType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind() != b[i].Kind() {
			return false
		}
	}
	return true
}

var errClosed = errors.New("instance is closed")

// Evict drops a module from the compile cache (e.g. when no canister uses
// it any more). Instances of it keep working.
func (e *Engine) Evict(hash [32]byte) {
	e.mu.Lock()
	delete(e.cache, hash)
	e.mu.Unlock()
}
