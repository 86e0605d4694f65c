package exec

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Module is a validated, instrumented and compiled canister module. It is
// immutable and may be shared by many instances (the Engine caches it).
type Module struct {
	Hash [32]byte // SHA-256 of the module bytes as uploaded (maybe gzipped)
	Wasm []byte   // as uploaded
	Is64 bool     // memory64: System API pointers are i64 (Motoko EOP), else i32
	EOP  bool     // enhanced orthogonal persistence (icp: section present)

	// Method names by kind, from "canister_update <name>" etc.
	Updates, Queries, CompositeQueries map[string]bool

	// Has says which system entry points the module exports.
	Has struct {
		Init, PreUpgrade, PostUpgrade, InspectMessage, Heartbeat, GlobalTimer, OnLowWasmMemory bool
	}

	// Metadata holds the icp:public / icp:private custom sections by name
	// (without the visibility prefix), e.g. "candid:service".
	Metadata map[string]Metadata

	compiled *wasmtime.Module
	layout   moduleLayout
	// fresh marks the DeltaPageSize pages that are not zero in the memory
	// of a just-built instance (the data segments), once known.
	fresh atomic.Pointer[[]bool]
}

// Metadata is one icp: custom section.
type Metadata struct {
	Public  bool
	Content []byte
}

// moduleLayout is what instances need to know about the instrumented module.
type moduleLayout struct {
	hasStart    bool
	hasMemory   bool
	hasTable    bool
	minPages    uint64
	globals     []GlobalType // types of the exported mutable globals, in index order
	globalNames []string     // their export names
}

// Export names the instrumentation adds. They use the reserved "canister_"
// prefix, so validation guarantees the original module cannot clash.
const (
	exportStart  = "canister_start"
	exportMemory = "canister_memory"
	exportTable  = "canister_table"
	globalPrefix = "canister_global_"
)

// Limits of the IC's module validation that are cheap to enforce here.
const (
	maxDecompressedSize = 100 << 20
	maxICPSections      = 16
	maxICPSectionsBytes = 1 << 20
	maxGlobals          = 1000
	maxMethods          = 1000
	maxMethodNamesBytes = 20000
)

// decompress returns the raw module: gzip (1f 8b 08) is inflated, \0asm is
// returned as is.
func decompress(wasm []byte) ([]byte, error) {
	if len(wasm) >= 3 && wasm[0] == 0x1f && wasm[1] == 0x8b && wasm[2] == 0x08 {
		zr, err := gzip.NewReader(bytes.NewReader(wasm))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		raw, err := io.ReadAll(io.LimitReader(zr, maxDecompressedSize+1))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if len(raw) > maxDecompressedSize {
			return nil, fmt.Errorf("decompressed module exceeds %d bytes", maxDecompressedSize)
		}
		return raw, nil
	}
	if len(wasm) >= 4 && string(wasm[:4]) == "\x00asm" {
		return wasm, nil
	}
	return nil, errors.New("module is neither a wasm module (\\0asm) nor gzipped (1f 8b 08)")
}

// parsedModule gathers the sections the replica reads.
type parsedModule struct {
	sections []section
	imports  []importEntry
	memories []memoryLimits
	tables   uint32
	globals  []globalEntry
	exports  []exportEntry
	start    *uint32
	customs  []customSection
}

func parseModule(raw []byte) (*parsedModule, error) {
	secs, err := splitSections(raw)
	if err != nil {
		return nil, err
	}
	p := &parsedModule{sections: secs}
	lastOrder := 0
	for _, s := range secs {
		if s.id != secCustom {
			o := sectionOrder(s.id)
			if o == 0 {
				return nil, fmt.Errorf("unknown section id %d", s.id)
			}
			if o <= lastOrder {
				return nil, fmt.Errorf("section id %d out of order or duplicated", s.id)
			}
			lastOrder = o
		}
		if err := p.read(s); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *parsedModule) read(s section) error {
	var err error
	switch s.id {
	case secCustom:
		var c customSection
		if c, err = parseCustom(s.payload); err == nil {
			p.customs = append(p.customs, c)
		}
	case secImport:
		p.imports, err = parseImports(s.payload)
	case secMemory:
		p.memories, err = parseMemories(s.payload)
	case secTable:
		p.tables, err = countVec(s.payload)
	case secGlobal:
		p.globals, err = parseGlobals(s.payload)
	case secExport:
		p.exports, err = parseExports(s.payload)
	case secStart:
		var idx uint32
		if idx, err = parseStart(s.payload); err == nil {
			p.start = &idx
		}
	}
	if err != nil {
		return fmt.Errorf("section %d: %w", s.id, err)
	}
	return nil
}

// describe fills the Module's public description from the parsed sections
// and checks the IC's rules on imports, memories, exports and icp: sections.
func (m *Module) describe(p *parsedModule) error {
	if err := checkImports(p.imports); err != nil {
		return err
	}
	if len(p.memories) > 1 {
		return fmt.Errorf("module declares %d memories, at most 1 is allowed", len(p.memories))
	}
	if len(p.memories) == 1 {
		m.Is64 = p.memories[0].is64
		m.layout.hasMemory = true
		m.layout.minPages = p.memories[0].min
		if p.memories[0].isShared {
			return errors.New("shared memories are not allowed")
		}
	}
	m.layout.hasTable = p.tables > 0
	m.layout.hasStart = p.start != nil
	if err := m.describeExports(p.exports); err != nil {
		return err
	}
	return m.describeCustomSections(p.customs)
}

func checkImports(imports []importEntry) error {
	for _, im := range imports {
		if im.module != "ic0" {
			return fmt.Errorf("module imports %s.%s: all imports must come from module ic0", im.module, im.name)
		}
		if im.kind != externFunc {
			return fmt.Errorf("module imports ic0.%s as a non-function: only functions may be imported", im.name)
		}
	}
	return nil
}

func (m *Module) describeExports(exports []exportEntry) error {
	m.Updates, m.Queries, m.CompositeQueries = map[string]bool{}, map[string]bool{}, map[string]bool{}
	seenNames := map[string]bool{}
	methods, namesBytes := 0, 0
	for _, e := range exports {
		if !strings.HasPrefix(e.name, "canister_") {
			continue
		}
		if e.kind != externFunc {
			return fmt.Errorf("export %q must be a function", e.name)
		}
		kind, method, ok := strings.Cut(e.name, " ")
		if ok {
			methods++
			namesBytes += len(method)
			if seenNames[method] {
				return fmt.Errorf("duplicate method name %q (exported as more than one kind of method)", method)
			}
			seenNames[method] = true
		}
		if err := m.describeExport(e.name, kind, method, ok); err != nil {
			return err
		}
	}
	if methods > maxMethods {
		return fmt.Errorf("module exports %d methods, at most %d are allowed", methods, maxMethods)
	}
	if namesBytes > maxMethodNamesBytes {
		return fmt.Errorf("method names total %d bytes, at most %d are allowed", namesBytes, maxMethodNamesBytes)
	}
	return nil
}

func (m *Module) describeExport(full, kind, method string, isMethod bool) error {
	if isMethod {
		switch kind {
		case "canister_update":
			m.Updates[method] = true
		case "canister_query":
			m.Queries[method] = true
		case "canister_composite_query":
			m.CompositeQueries[method] = true
		default:
			return fmt.Errorf("export %q uses the reserved prefix \"canister_\" but is not a canister method", full)
		}
		return nil
	}
	switch full {
	case "canister_init":
		m.Has.Init = true
	case "canister_pre_upgrade":
		m.Has.PreUpgrade = true
	case "canister_post_upgrade":
		m.Has.PostUpgrade = true
	case "canister_inspect_message":
		m.Has.InspectMessage = true
	case "canister_heartbeat":
		m.Has.Heartbeat = true
	case "canister_global_timer":
		m.Has.GlobalTimer = true
	case "canister_on_low_wasm_memory":
		m.Has.OnLowWasmMemory = true
	default:
		return fmt.Errorf("export %q uses the reserved prefix \"canister_\" but is not a canister method", full)
	}
	return nil
}

func (m *Module) describeCustomSections(customs []customSection) error {
	m.Metadata = map[string]Metadata{}
	count, total := 0, 0
	for _, c := range customs {
		if !strings.HasPrefix(c.name, "icp:") {
			continue
		}
		count++
		total += len(c.content)
		vis, name, ok := strings.Cut(c.name, " ")
		if !ok || name == "" || (vis != "icp:public" && vis != "icp:private") {
			return fmt.Errorf("invalid custom section %q: icp: sections must be named \"icp:public <name>\" or \"icp:private <name>\"", c.name)
		}
		if _, dup := m.Metadata[name]; dup {
			return fmt.Errorf("duplicate custom section for metadata %q", name)
		}
		m.Metadata[name] = Metadata{Public: vis == "icp:public", Content: bytes.Clone(c.content)}
	}
	if count > maxICPSections {
		return fmt.Errorf("module has %d icp: custom sections, at most %d are allowed", count, maxICPSections)
	}
	if total > maxICPSectionsBytes {
		return fmt.Errorf("icp: custom sections total %d bytes, at most %d are allowed", total, maxICPSectionsBytes)
	}
	_, m.EOP = m.Metadata["enhanced-orthogonal-persistence"]
	return nil
}
