package exec

// Stable memory (spec §7.8): the 64-bit API for every module, and the
// deprecated 32-bit API for wasm32 modules (trapping beyond 4 GiB).
var stableFuncs = []hostFunc{
	{name: "stable64_size", results: "l", allowed: ctxAll | ctxS, fn: func(x *execution, _ []uint64) (uint64, error) {
		return x.inst.stable.pages(), nil
	}},
	{name: "stable64_grow", params: "l", results: "l", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return x.inst.stable.grow(a[0], x.inst.engine.cfg.MaxStableMemory/PageSize), nil
	}},
	{name: "stable64_write", params: "lll", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.stableWrite("stable64_write", a[0], a[1], a[2])
	}},
	{name: "stable64_read", params: "lll", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.stableRead("stable64_read", a[0], a[1], a[2])
	}},
	{name: "stable_size", results: "i", allowed: ctxAll | ctxS, only32: true, fn: func(x *execution, _ []uint64) (uint64, error) {
		return x.stable32Pages("stable_size")
	}},
	{name: "stable_grow", params: "i", results: "i", allowed: ctxAll | ctxS, only32: true, fn: func(x *execution, a []uint64) (uint64, error) {
		if _, err := x.stable32Pages("stable_grow"); err != nil {
			return 0, err
		}
		old := x.inst.stable.grow(a[0], min(x.inst.engine.cfg.MaxStableMemory/PageSize, max32BitStablePages))
		return uint64(uint32(old)), nil // -1 stays -1 as i32
	}},
	{name: "stable_write", params: "iii", allowed: ctxAll | ctxS, only32: true, fn: func(x *execution, a []uint64) (uint64, error) {
		if _, err := x.stable32Pages("stable_write"); err != nil {
			return 0, err
		}
		return 0, x.stableWrite("stable_write", a[0], a[1], a[2])
	}},
	{name: "stable_read", params: "iii", allowed: ctxAll | ctxS, only32: true, fn: func(x *execution, a []uint64) (uint64, error) {
		if _, err := x.stable32Pages("stable_read"); err != nil {
			return 0, err
		}
		return 0, x.stableRead("stable_read", a[0], a[1], a[2])
	}},
}

// max32BitStablePages is 4 GiB, the reach of the 32-bit stable API.
const max32BitStablePages = 1 << 16

func (x *execution) stable32Pages(fn string) (uint64, error) {
	p := x.inst.stable.pages()
	if p > max32BitStablePages {
		return 0, contractViolation("ic0.%s: stable memory is larger than 4 GiB, use the 64-bit stable API", fn)
	}
	return p, nil
}

func (x *execution) stableWrite(fn string, offset, src, size uint64) error {
	if !inBounds(offset, size, x.inst.stable.size()) {
		return stableOutOfBounds(fn)
	}
	data, err := x.read(fn, src, size)
	if err != nil {
		return err
	}
	x.inst.stable.write(offset, data)
	return nil
}

func (x *execution) stableRead(fn string, dst, offset, size uint64) error {
	if !inBounds(offset, size, x.inst.stable.size()) {
		return stableOutOfBounds(fn)
	}
	return x.write(fn, dst, x.inst.stable.data[offset:offset+size])
}
