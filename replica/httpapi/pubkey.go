package httpapi

import "github.com/canistry/canistry/internal/icsig"

// parsePublicKey turns a sender or delegation key (DER) into a verifier;
// the signature schemes are internal/icsig's, shared with the gateway.
// rootKey is the replica's DER root key, which canister signatures must
// chain to.
func parsePublicKey(der, rootKey []byte) (icsig.Verifier, error) {
	return icsig.ParsePublicKey(der, rootKey)
}
