package ic

import (
	"context"
	"errors"
	"fmt"

	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/reject"
)

// ProtocolMetadata is the name of the public custom section in which a
// Canistry canister names its protocol, e.g. "personal/2.0.0".
const ProtocolMetadata = "canistry:protocol"

// Errors of CanisterInfo, for the gateway to map onto Connect codes.
var (
	ErrCanisterNotFound   = errors.New("no such canister")
	ErrNoModule           = errors.New("canister has no code installed")
	ErrNoProtocolMetadata = errors.New("canister has no " + ProtocolMetadata + " metadata")
)

// CanisterInfo is what the certified state says about a canister's code.
type CanisterInfo struct {
	// Protocol is the content of its canistry:protocol metadata.
	Protocol string
	// ModuleHash is the SHA-256 of its installed module.
	ModuleHash []byte
}

// CanisterInfo reads the canister's protocol metadata and module hash in
// one certified read_state (agent-go verifies the certificate against the
// root key). A canister with no controllers entry does not exist.
func (c *Client) CanisterInfo(ctx context.Context, canister principal.Principal) (CanisterInfo, error) {
	base := []hashtree.Label{hashtree.Label("canister"), canister.Raw}
	paths := map[string][]hashtree.Label{
		"controllers": append(append([]hashtree.Label{}, base...), hashtree.Label("controllers")),
		"module_hash": append(append([]hashtree.Label{}, base...), hashtree.Label("module_hash")),
		"metadata":    append(append([]hashtree.Label{}, base...), hashtree.Label("metadata"), hashtree.Label(ProtocolMetadata)),
	}
	root, err := c.readState(ctx, canister, paths)
	if err != nil {
		return CanisterInfo{}, err
	}
	tree := hashtree.NewHashTree(root)
	if _, err := lookup(tree, paths["controllers"]); err != nil {
		return CanisterInfo{}, fmt.Errorf("canister %s: %w", canister, err)
	}
	hash, err := lookup(tree, paths["module_hash"])
	if errors.Is(err, errAbsent) {
		return CanisterInfo{}, fmt.Errorf("canister %s: %w", canister, ErrNoModule)
	}
	if err != nil {
		return CanisterInfo{}, fmt.Errorf("canister %s module_hash: %w", canister, err)
	}
	proto, err := lookup(tree, paths["metadata"])
	if errors.Is(err, errAbsent) {
		return CanisterInfo{}, fmt.Errorf("canister %s: %w", canister, ErrNoProtocolMetadata)
	}
	if err != nil {
		return CanisterInfo{}, fmt.Errorf("canister %s metadata: %w", canister, err)
	}
	return CanisterInfo{Protocol: string(proto), ModuleHash: hash}, nil
}

func (c *Client) readState(ctx context.Context, canister principal.Principal, paths map[string][]hashtree.Label) (hashtree.Node, error) {
	list := make([][]hashtree.Label, 0, len(paths))
	for _, p := range paths {
		list = append(list, p)
	}
	type result struct {
		root hashtree.Node
		err  error
	}
	// agent-go's ReadStateCertificate takes no context; run it aside so a
	// cancelled request does not wait for it.
	done := make(chan result, 1)
	go func() {
		root, err := c.agent.ReadStateCertificate(canister, list)
		done <- result{root, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("read_state of %s: %w", canister, ctx.Err())
	case r := <-done:
		if r.err != nil {
			if rej, ok := asReject(r.err); ok && rej.RejectCode == reject.DestinationInvalid {
				return nil, fmt.Errorf("canister %s: %w: %w", canister, ErrCanisterNotFound, rej)
			}
			return nil, fmt.Errorf("read_state of %s: %w", canister, r.err)
		}
		return r.root, nil
	}
}

var errAbsent = errors.New("absent")

// lookup finds a path in the certified tree; an absent path (the state
// proves it is not there) is errAbsent, for a missing canister
// ErrCanisterNotFound.
func lookup(tree hashtree.HashTree, path []hashtree.Label) ([]byte, error) {
	v, err := tree.Lookup(path...)
	var le hashtree.LookupError
	if errors.As(err, &le) && le.Type == hashtree.LookupResultAbsent {
		if string(path[len(path)-1]) == "controllers" {
			return nil, ErrCanisterNotFound
		}
		return nil, errAbsent
	}
	return v, err
}
