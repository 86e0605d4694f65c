package gotest

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// TestWrongCandidIsRejected: arguments of the wrong Candid type, or too
// few, are rejected with Motoko's IDL error as the message, and nothing is
// stored. (Limits and unknown keys are covered beside each method.)
func TestWrongCandidIsRejected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	canisterOf := map[string]principal.Principal{v1: e.install(v1), v2: e.install(v2), v3: e.install(v3)}
	tests := []struct {
		version string
		method  string
		query   bool
		args    []any
		want    string
	}{
		{v1, "put", false, []any{nat(5), []byte("x")}, "IDL error: unexpected IDL type when parsing Text"},
		{v1, "put", false, []any{"k", "text, not a blob"}, "IDL error: unexpected IDL type when parsing Blob"},
		{v1, "get", true, []any{nat(5)}, "IDL error: unexpected IDL type when parsing Text"},
		{v1, "remove", false, nil, "IDL error: too few arguments"},
		{v2, "put_document", false, []any{"k", []byte("x"), nat(1), noNat}, "IDL error: unexpected IDL type when parsing Text"},
		// (A missing trailing if_revision is not an error: Candid reads an
		// absent opt argument as null.)
		{v2, "put_document", false, []any{"k", []byte("x")}, "IDL error: too few arguments"},
		{v2, "get_document", true, nil, "IDL error: too few arguments"},
		{v2, "list_documents", true, []any{"", "ten", (*string)(nil)}, "IDL error: unexpected IDL type when parsing Nat"},
		{v3, "put_document", false, []any{[]byte("k"), []byte("x"), "text/plain", noNat}, "IDL error: unexpected IDL type when parsing Text"},
		{v3, "send", false, []any{"aaaaa-aa", "x"}, "IDL error: unexpected IDL type when parsing Principal"},
		{v3, "grant", false, []any{nat(1), ""}, "IDL error: unexpected IDL type when parsing Principal"},
		{v3, "ack", false, []any{[]string{"0"}}, "IDL error"},
		{v3, "inbox", true, []any{noNat, "ten"}, "IDL error: unexpected IDL type when parsing Nat"},
		{v3, "deliver", false, []any{Document{Key: "k", Revision: nat(1), UpdatedAt: intOf(0)}}, "IDL error"},
	}
	for _, tt := range tests {
		id := canisterOf[tt.version]
		var err error
		if tt.query {
			err = e.owner.Query(id, tt.method, tt.args, []any{})
		} else {
			err = e.owner.Call(id, tt.method, tt.args, []any{})
		}
		wantErr(t, "personal/"+tt.version+" "+tt.method+" with wrong Candid", err, tt.want)
	}
	if keys := mustQuery[[]string](t, e.owner, canisterOf[v1], "keys"); len(keys) != 0 {
		t.Fatalf("1.0.0 stored %q from calls with wrong Candid", keys)
	}
	for _, v := range []string{v2, v3} {
		if all := allDocuments(t, e, canisterOf[v]); len(all) != 0 {
			t.Fatalf("personal/%s stored %q from calls with wrong Candid", v, keysOf(all))
		}
	}
	if g := mustQuery[[]Grant](t, e.owner, canisterOf[v3], "grants"); len(g) != 0 {
		t.Fatalf("grants after calls with wrong Candid = %s", describeGrants(g))
	}
	if o := outbox(t, e.owner, canisterOf[v3]); len(o) != 0 {
		t.Fatalf("outbox after calls with wrong Candid holds %d", len(o))
	}
}

// TestWrongTypedOptIsNull pins a Candid rule that callers must know: an
// `opt` argument of another type decodes as null rather than failing, so
// put_document with if_revision = int -1 is an unconditional write (the
// canister cannot tell it from null). Not a canister bug; the Candid spec's
// opt subtyping.
func TestWrongTypedOptIsNull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := docs{t, e.owner, e.install(v3)}
	d.mustPut("k", "first")
	r, err := call[PutResult](e.owner, d.id, "put_document", "k", []byte("second"), "text/plain", idl.NewInt(-1))
	if err != nil || describePut(r) != "ok rev 2" {
		t.Fatalf("put_document with if_revision = int -1: %s, %v; want ok rev 2 (read as null)", describePut(r), err)
	}
}
