package exec

import (
	"crypto/sha256"
	"testing"
)

func BenchmarkCompile(b *testing.B) {
	e := newTestEngine(b)
	wasm := loadCounter(b)
	hash := sha256.Sum256(wasm)
	b.ResetTimer()
	for b.Loop() {
		// Bypass the cache: measure validation, instrumentation and
		// wasmtime compilation of the Motoko counter.
		if _, err := e.compile(hash, wasm); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileCached(b *testing.B) {
	e := newTestEngine(b)
	wasm := loadCounter(b)
	if _, err := e.Compile(wasm); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.Compile(wasm); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInstantiate(b *testing.B) {
	e := newTestEngine(b)
	m, err := e.Compile(loadCounter(b))
	if err != nil {
		b.Fatal(err)
	}
	inst := installCounter(b, e, m)
	state := inst.State()
	inst.Close()
	b.Run("fresh", func(b *testing.B) {
		for b.Loop() {
			inst, err := e.Instantiate(m, nil)
			if err != nil {
				b.Fatal(err)
			}
			inst.Close()
		}
	})
	b.Run("from state", func(b *testing.B) {
		for b.Loop() {
			inst, err := e.Instantiate(m, state)
			if err != nil {
				b.Fatal(err)
			}
			inst.Close()
		}
	})
}

func BenchmarkCounterIncCommit(b *testing.B) {
	e := newTestEngine(b)
	m, err := e.Compile(loadCounter(b))
	if err != nil {
		b.Fatal(err)
	}
	inst := installCounter(b, e, m)
	defer inst.Close()
	inv := invocation(KindUpdate, "inc", emptyArgs)
	for b.Loop() {
		if res := inst.Run(inv); res.Trap != nil {
			b.Fatal(res.Trap)
		}
		inst.Commit()
	}
}

func BenchmarkCounterGetRollback(b *testing.B) {
	e := newTestEngine(b)
	m, err := e.Compile(loadCounter(b))
	if err != nil {
		b.Fatal(err)
	}
	inst := installCounter(b, e, m)
	defer inst.Close()
	inv := invocation(KindNonReplicatedQuery, "get", emptyArgs)
	for b.Loop() {
		if res := inst.Run(inv); res.Trap != nil {
			b.Fatal(res.Trap)
		}
		if err := inst.Rollback(); err != nil {
			b.Fatal(err)
		}
	}
}
