package auth

import (
	"fmt"

	"connectrpc.com/connect"
)

func unauthenticated(format string, args ...any) error {
	return connect.NewError(connect.CodeUnauthenticated, fmt.Errorf(format, args...))
}
