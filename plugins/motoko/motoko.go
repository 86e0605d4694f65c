// Package motoko reads what Motoko canisters say when a call does not fit
// their interface. Motoko refuses by trapping, so its refusals carry only
// text; adapters of Motoko canisters read it here, in one place, and turn it
// into the typed InterfaceMismatch signal the gateway acts on (the gateway
// itself never reads messages).
package motoko

import "strings"

// InterfaceMismatch reports whether a reject's message is Motoko's sign
// that the call does not fit the canister's interface: the argument failed
// Candid decoding ("IDL error"), or the generated canister_inspect_message
// did not accept a method the canister does not have ("implicitly
// refused") — what a call meets after the canister was upgraded to a
// version without that method.
func InterfaceMismatch(message string) bool {
	return strings.Contains(message, "IDL error") || strings.Contains(message, "inspect_message implicitly refused")
}
