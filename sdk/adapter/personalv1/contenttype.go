package personalv1

import "github.com/canistry/canistry/internal/personalapi"

// DefaultContentType is what an empty content type means in the personal
// API, and the content type to answer for a canister that keeps none.
const DefaultContentType = personalapi.DefaultContentType
