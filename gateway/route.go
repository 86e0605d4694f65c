package gateway

import (
	"net/http"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"
)

// The headers of the stable API.
const (
	// HeaderCanister names the target canister of a request.
	HeaderCanister = "Canistry-Canister"
	// HeaderProtocol tells the client which protocol version served it.
	HeaderProtocol = "Canistry-Protocol"
)

// route finds the request's canister.
func route(h http.Header) (principal.Principal, error) {
	text := h.Get(HeaderCanister)
	if text == "" {
		return principal.Principal{}, errorf(connect.CodeInvalidArgument, "missing header %s: name the target canister by its principal", HeaderCanister)
	}
	p, err := principal.Decode(text)
	if err != nil {
		// agent-go's decode errors quote raw bytes; a person needs the rule.
		return principal.Principal{}, errorf(connect.CodeInvalidArgument,
			"header %s: %q is not a textual principal (groups of 5 base32 characters joined by '-', with a valid checksum, e.g. rrkah-fqaaa-aaaaa-aaaaq-cai)",
			HeaderCanister, text)
	}
	return p, nil
}
