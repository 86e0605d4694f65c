package ic

import "fmt"

// UnverifiedError is an answer of the IC that did not verify: a query
// reply whose node signature is missing or wrong even against freshly read
// node keys, or a certificate that fails its checks. The answer is dropped;
// it may be a faulty or malicious node, so asking again can succeed.
type UnverifiedError struct {
	Kind string // "query", "call" or "read_state"
	Err  error
}

func (e *UnverifiedError) Error() string {
	return fmt.Sprintf("the Internet Computer's answer to the %s failed verification and was dropped: %v", e.Kind, e.Err)
}

func (e *UnverifiedError) Unwrap() error { return e.Err }
