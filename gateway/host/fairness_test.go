package host

import (
	"errors"
	"testing"
)

func TestFairShare(t *testing.T) {
	f := newFairShare(2)
	for range 2 {
		if err := f.acquire("a", "personal2"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.acquire("a", "personal2"); !errors.Is(err, ErrCanisterBusy) {
		t.Fatalf("a third request of canister a = %v, want ErrCanisterBusy", err)
	}
	if err := f.acquire("b", "personal2"); err != nil {
		t.Fatalf("canister b is refused while a is at its share: %v", err)
	}
	f.release("a")
	if err := f.acquire("a", "personal2"); err != nil {
		t.Fatalf("after a release canister a = %v", err)
	}
	f.release("a")
	f.release("a")
	f.release("b")
	if len(f.n) != 0 {
		t.Errorf("counts left after every release: %v", f.n)
	}
}
