package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/aviate-labs/agent-go/identity"
)

// loadIdentity reads a PEM identity as dfx writes them: Ed25519,
// secp256k1 or prime256v1.
func loadIdentity(path string) (identity.Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if id, err := identity.NewEd25519IdentityFromPEM(data); err == nil {
		return id, nil
	}
	if id, err := identity.NewSecp256k1IdentityFromPEM(data); err == nil {
		return id, nil
	}
	if id, err := identity.NewPrime256v1IdentityFromPEM(data); err == nil {
		return id, nil
	}
	return nil, fmt.Errorf("identity %s: not an Ed25519, secp256k1 or prime256v1 PEM key", path)
}

// loadOrCreateIdentity reads path, or makes a new Ed25519 identity there
// (readable by the owner only).
func loadOrCreateIdentity(path string) (identity.Identity, bool, error) {
	id, err := loadIdentity(path)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	fresh, err := identity.NewRandomEd25519Identity()
	if err != nil {
		return nil, false, fmt.Errorf("identity: %w", err)
	}
	pem, err := fresh.ToPEM()
	if err != nil {
		return nil, false, fmt.Errorf("identity: %w", err)
	}
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		return nil, false, fmt.Errorf("identity: %w", err)
	}
	return fresh, true, nil
}
