// Package mgmt is the management canister aaaaa-aa as a facade: it knows the
// methods, who may call them and how their Candid looks, decodes arguments,
// hands them to a Manager that owns the state, and encodes the answers.
// Every refusal is a *reject.Error with the IC's codes.
package mgmt
