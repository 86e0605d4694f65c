package integration

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// TestSharing: owner A grants B's canister a prefix; B, acting as
// themselves through their own delegation, reads it with
// GetSharedDocument; after the revoke it is permission_denied; on
// personal/2.0.0 the gateway refuses with failed_precondition naming
// personal/3.0.0.
func TestSharing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	d := startDev(t, t.TempDir())
	ctx := context.Background()
	a := newClient(d.gateway, d.delegation) // the dev identity, owner of the dev canisters
	aCid := d.canisters["3.0.0"]

	bPEM := filepath.Join(t.TempDir(), "b.pem")
	out, err := exec.Command(canistryBin, "identity", "new", "--out", bPEM).Output()
	if err != nil {
		t.Fatal(err)
	}
	bCid := d.admin(t, "create", "--protocol", "3.0.0", "--owner", strings.TrimSpace(string(out)))
	bHeader, err := exec.Command(canistryBin, "session", "--identity", bPEM, "--state-dir", d.stateDir, "--target", bCid).Output()
	if err != nil {
		t.Fatal(err)
	}
	b := newClient(d.gateway, strings.TrimSpace(string(bHeader)))

	if _, _, err := a.put(ctx, aCid, "shared/note", "for B", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.put(ctx, aCid, "private/diary", "not for B", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.GrantAccess(ctx, at(aCid, &personalv1.GrantAccessRequest{Peer: bCid, Prefix: "shared/"})); err != nil {
		t.Fatalf("GrantAccess: %v", err)
	}
	grants, err := a.c.ListGrants(ctx, at(aCid, &personalv1.ListGrantsRequest{}))
	if err != nil || len(grants.Msg.GetGrants()) != 1 || grants.Msg.GetGrants()[0].GetPeer() != bCid {
		t.Fatalf("ListGrants = %v, %v", grants, err)
	}
	read := func(key string) (*personalv1.Document, error) {
		resp, err := b.c.GetSharedDocument(ctx, at(bCid, &personalv1.GetSharedDocumentRequest{From: aCid, Key: key}))
		if err != nil {
			return nil, err
		}
		return resp.Msg.GetDocument(), nil
	}
	if doc, err := read("shared/note"); err != nil || string(doc.GetContent()) != "for B" {
		t.Fatalf("B reads A's shared document: %v, %v", doc, err)
	}
	if _, err := read("private/diary"); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("B reads outside the grant: %v, want permission_denied", err)
	}
	if _, err := a.c.RevokeAccess(ctx, at(aCid, &personalv1.RevokeAccessRequest{Peer: bCid, Prefix: "shared/"})); err != nil {
		t.Fatalf("RevokeAccess: %v", err)
	}
	if _, err := read("shared/note"); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("B reads after the revoke: %v, want permission_denied", err)
	}
	if _, err := a.c.RevokeAccess(ctx, at(aCid, &personalv1.RevokeAccessRequest{Peer: bCid, Prefix: "shared/"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("revoking again: %v, want not_found", err)
	}

	_, err = a.c.GrantAccess(ctx, at(d.canisters["2.0.0"], &personalv1.GrantAccessRequest{Peer: bCid, Prefix: "shared/"}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeFailedPrecondition || !strings.Contains(ce.Message(), "personal/3.0.0") {
		t.Errorf("GrantAccess on personal/2.0.0: %v, want failed_precondition naming personal/3.0.0", err)
	}
}
