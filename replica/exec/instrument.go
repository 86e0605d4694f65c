package exec

import (
	"fmt"
	"strconv"
)

// instrument rewrites a parsed module the way the IC does before running it:
//   - the start section is removed and its function exported as
//     canister_start, so the replica runs it explicitly (after swapping in a
//     kept heap on upgrade, in the System API context "s");
//   - every module-defined mutable global is exported as
//     canister_global_<index>, so globals can be saved and restored;
//   - memory 0 and table 0 are exported under fixed names, so host functions
//     and callbacks reach them whatever the module calls them.
//
// It records the exported globals in layout.
func instrument(p *parsedModule, layout *moduleLayout) ([]byte, error) {
	exports := append([]exportEntry(nil), p.exports...)
	if p.start != nil {
		exports = append(exports, exportEntry{name: exportStart, kind: externFunc, index: *p.start})
	}
	if layout.hasMemory {
		exports = append(exports, exportEntry{name: exportMemory, kind: externMemory, index: 0})
	}
	if layout.hasTable {
		exports = append(exports, exportEntry{name: exportTable, kind: externTable, index: 0})
	}
	globalExports, err := exportMutableGlobals(p, layout)
	if err != nil {
		return nil, err
	}
	exports = append(exports, globalExports...)
	return rewriteSections(p.sections, encodeExports(exports)), nil
}

// exportMutableGlobals builds the exports for the mutable globals. Global
// indices count imported globals first; validation allows no global imports,
// so the module's own globals start at index 0.
func exportMutableGlobals(p *parsedModule, layout *moduleLayout) ([]exportEntry, error) {
	if len(p.globals) > maxGlobals {
		return nil, fmt.Errorf("module declares %d globals, at most %d are allowed", len(p.globals), maxGlobals)
	}
	var out []exportEntry
	for i, g := range p.globals {
		if !g.mutable {
			continue
		}
		t, ok := globalTypeOf(g.valType)
		if !ok {
			return nil, fmt.Errorf("global %d: mutable globals of type %#x cannot be persisted", i, g.valType)
		}
		name := globalPrefix + strconv.Itoa(i)
		out = append(out, exportEntry{name: name, kind: externGlobal, index: uint32(i)})
		layout.globals = append(layout.globals, t)
		layout.globalNames = append(layout.globalNames, name)
	}
	return out, nil
}

// rewriteSections drops the start section and replaces (or inserts, at its
// proper position) the export section.
func rewriteSections(secs []section, exportPayload []byte) []byte {
	out := make([]section, 0, len(secs)+1)
	placed := false
	for _, s := range secs {
		switch {
		case s.id == secStart:
			continue
		case s.id == secExport:
			out = append(out, section{id: secExport, payload: exportPayload})
			placed = true
			continue
		case !placed && s.id != secCustom && sectionOrder(s.id) > sectionOrder(secExport):
			out = append(out, section{id: secExport, payload: exportPayload})
			placed = true
		}
		out = append(out, s)
	}
	if !placed {
		out = append(out, section{id: secExport, payload: exportPayload})
	}
	return joinSections(out)
}
