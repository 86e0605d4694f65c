package gotest

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/replicatest"
)

func TestV1RefusesAnonymousOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, version := range []string{v1, v2, v3} {
		id := replicatest.CreateCanister(t, e.owner)
		err := e.installOwnedBy(id, version, principal.AnonymousID)
		wantErr(t, "install personal/"+version+" with an anonymous owner", err, "owner must not be the anonymous principal")
	}
}

// TestV1KeyValueStore covers every 1.0.0 method for the owner.
func TestV1KeyValueStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v1)
	a := e.owner

	if got := protocolOf(t, a, id); got != "personal/1.0.0" {
		t.Fatalf("protocol = %q", got)
	}
	if got := mustQuery[[]string](t, a, id, "keys"); len(got) != 0 {
		t.Fatalf("keys of a new store = %q, want none", got)
	}
	binary := []byte{0, 255, 7, 0}
	for key, value := range map[string][]byte{"b": []byte("two"), "a": binary, "ü/ключ": {}, "c": []byte("three")} {
		if err := callUnit(a, id, "put", key, value); err != nil {
			t.Fatalf("put(%q): %v", key, err)
		}
	}
	if got, want := mustQuery[[]string](t, a, id, "keys"), []string{"a", "b", "c", "ü/ключ"}; !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q (ascending)", got, want)
	}
	if got := mustQuery[*[]byte](t, a, id, "get", "a"); got == nil || !bytes.Equal(*got, binary) {
		t.Fatalf("get(a) = %v, want %v byte for byte", got, binary)
	}
	if got := mustQuery[*[]byte](t, a, id, "get", "ü/ключ"); got == nil || len(*got) != 0 {
		t.Fatalf("get of an empty value = %v, want an empty blob (not null)", got)
	}
	if got := mustQuery[*[]byte](t, a, id, "get", "missing"); got != nil {
		t.Fatalf("get(missing) = %v, want null", *got)
	}
	// put replaces.
	if err := callUnit(a, id, "put", "b", []byte("zwei")); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery[*[]byte](t, a, id, "get", "b"); got == nil || string(*got) != "zwei" {
		t.Fatalf("get(b) after replace = %v", got)
	}
	for _, step := range []struct {
		key  string
		want bool
	}{{"b", true}, {"b", false}, {"never", false}} {
		if got := mustCall[bool](t, a, id, "remove", step.key); got != step.want {
			t.Fatalf("remove(%q) = %v, want %v", step.key, got, step.want)
		}
	}
	if got, want := mustQuery[[]string](t, a, id, "keys"), []string{"a", "c", "ü/ключ"}; !slices.Equal(got, want) {
		t.Fatalf("keys after remove = %q, want %q", got, want)
	}
}

// TestV1Limits: sizes are UTF-8 bytes; a value over a limit is rejected with
// the documented message and nothing is stored.
func TestV1Limits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v1)
	a := e.owner
	tests := []struct {
		name    string
		key     string
		value   []byte
		wantErr string // "" = accepted
	}{
		{"key of 256 bytes", strings.Repeat("k", 256), []byte("x"), ""},
		{"key of 128 two-byte characters", strings.Repeat("é", 128), []byte("x"), ""},
		{"key of 257 bytes", strings.Repeat("k", 257), []byte("x"), "personal/1.0.0: key is 257 bytes; the limit is 256"},
		{"key of 129 two-byte characters", strings.Repeat("é", 129), []byte("x"), "key is 258 bytes; the limit is 256"},
		{"empty key", "", []byte("x"), "personal/1.0.0: key must not be empty"},
		{"value of 1 MiB", "max", make([]byte, 1<<20), ""},
		{"value of 1 MiB + 1", "over", make([]byte, 1<<20+1), "personal/1.0.0: value is 1048577 bytes; the limit is 1048576"},
	}
	for _, tt := range tests {
		err := callUnit(a, id, "put", tt.key, tt.value)
		stored := mustQuery[*[]byte](t, a, id, "get", tt.key)
		if tt.wantErr == "" {
			if err != nil || stored == nil || len(*stored) != len(tt.value) {
				t.Errorf("%s: put = %v, stored %d bytes; want it stored", tt.name, err, lenOf(stored))
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: put error = %v, want %q", tt.name, err, tt.wantErr)
		}
		if stored != nil {
			t.Errorf("%s: a refused put stored %d bytes", tt.name, len(*stored))
		}
	}
}

func lenOf(b *[]byte) int {
	if b == nil {
		return -1
	}
	return len(*b)
}

// TestV1Strangers: inspect refuses a stranger's ingress updates before they
// execute; queries reach the method, which rejects; protocol is public.
func TestV1Strangers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v1)
	if err := callUnit(e.owner, id, "put", "secret", []byte("s")); err != nil {
		t.Fatal(err)
	}
	s := e.stranger
	wantErr(t, "stranger put", callUnit(s, id, "put", "x", []byte("y")), inspectRefused)
	_, err := call[bool](s, id, "remove", "secret")
	wantErr(t, "stranger remove", err, inspectRefused)
	_, err = query[*[]byte](s, id, "get", "secret")
	wantErr(t, "stranger get", err, "personal/1.0.0: caller "+s.Sender().String()+" "+notOwner)
	_, err = query[[]string](s, id, "keys")
	wantErr(t, "stranger keys", err, notOwner)
	if got := protocolOf(t, s, id); got != "personal/1.0.0" {
		t.Fatalf("stranger protocol = %q", got)
	}
	if got := mustQuery[[]string](t, e.owner, id, "keys"); !slices.Equal(got, []string{"secret"}) {
		t.Fatalf("keys after strangers' attempts = %q, want [secret]", got)
	}
}
