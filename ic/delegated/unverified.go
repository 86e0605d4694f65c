package delegated

import "github.com/canistry/canistry/ic"

// UnverifiedError is ic.UnverifiedError: delegated and own-key answers
// fail verification the same way.
type UnverifiedError = ic.UnverifiedError
