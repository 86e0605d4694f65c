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
		return principal.Principal{}, errorf(connect.CodeInvalidArgument, "header %s: %q is not a principal: %v", HeaderCanister, text, err)
	}
	return p, nil
}
