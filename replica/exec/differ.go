package exec

// eachMaybeDifferent calls fn, in order, with the offset of every page
// below n where live (the wasm memory) and the committed heap may differ:
// where either has a page of its own (populated), and where the module's
// data segments may still show through from the image the memory was
// built from (its fresh pages: a page of a file mapping that was never
// touched is not populated, yet not zero). Everywhere else both are zero.
// False when the system cannot tell; fn was not called then.
func (i *Instance) eachMaybeDifferent(live []byte, n int, fn func(off int)) bool {
	pages := n / DeltaPageSize
	if cap(i.differ) < pages {
		i.differ = make([]bool, pages)
	}
	mark := i.differ[:pages]
	clear(mark)
	set := func(off int) { mark[off/DeltaPageSize] = true }
	if !populated(live[:n], set) || !populated(i.heap[:n], set) {
		return false
	}
	if f := i.module.fresh.Load(); f != nil {
		for p, nonZero := range *f {
			if nonZero && p < pages {
				mark[p] = true
			}
		}
	} else {
		return false // never built from the module's image: cannot tell
	}
	for p, m := range mark {
		if m {
			fn(p * DeltaPageSize)
		}
	}
	return true
}
