package replica

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/httpapi"
)

// FuzzReadStatePaths: whatever paths a sender asks for, the check answers
// without panicking, refuses with a 400, 403 or 404, and never admits a
// path that would reveal a whole request_status or canister subtree, or
// another sender's request.
func FuzzReadStatePaths(f *testing.F) {
	target := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	owner := principal.MustDecode("2vxsx-fae")
	var theirs [32]byte
	theirs[0] = 7
	r := &Replica{
		canisters: map[string]*canister{},
		ingress:   map[[32]byte]*ingressEntry{theirs: {sender: []byte("someone else"), effective: target.Raw}},
	}
	sep := []byte{'/'}
	for _, seed := range [][]byte{
		[]byte("time"), []byte("request_status"), append([]byte("request_status/"), theirs[:]...),
		append([]byte("canister/"), target.Raw...), append(append([]byte("canister/"), target.Raw...), "/metadata/candid:service"...),
		[]byte("subnet//node//public_key"), []byte(""), []byte("canister_ranges/x/y"),
	} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		paths := [][][]byte{bytes.Split(a, sep)}
		if len(b) > 0 {
			paths = append(paths, bytes.Split(b, sep))
		}
		req := &httpapi.Request{Sender: owner, EffectiveCanisterID: target, Paths: paths}
		err := r.mayReadAll(req)
		if err != nil {
			var he *httpapi.Error
			if !errors.As(err, &he) || (he.Status != http.StatusBadRequest && he.Status != http.StatusForbidden && he.Status != http.StatusNotFound) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		for _, p := range paths {
			switch string(p[0]) {
			case "request_status":
				if len(p) < 2 || bytes.Equal(p[1], theirs[:]) {
					t.Fatalf("admitted %q: another sender's request status", p)
				}
			case "canister":
				if len(p) < 3 || (string(p[2]) == "metadata" && len(p) < 4) {
					t.Fatalf("admitted %q: a whole canister subtree", p)
				}
			}
		}
	})
}
