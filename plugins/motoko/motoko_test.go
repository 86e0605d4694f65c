package motoko

import "testing"

func TestInterfaceMismatch(t *testing.T) {
	for msg, want := range map[string]bool{
		"Canister trapped: IDL error: unexpected variant tag":                                            true,
		"Canister called `ic0.trap` with message: 'canister_inspect_message implicitly refused message'": true,
		"Canister called `ic0.trap` with message: 'canister_inspect_message explicitly refused message'": false,
		"personal/2.0.0: caller x is not the owner of this canister":                                     false,
		"": false,
	} {
		if got := InterfaceMismatch(msg); got != want {
			t.Errorf("InterfaceMismatch(%q) = %v, want %v", msg, got, want)
		}
	}
}
