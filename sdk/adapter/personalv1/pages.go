package personalv1

// The page sizes of the personal API v1: 0 means the default, more than
// the maximum is capped.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// PageSize applies the default and the cap to a requested page size.
func PageSize(requested uint32) uint32 {
	switch {
	case requested == 0:
		return DefaultPageSize
	case requested > MaxPageSize:
		return MaxPageSize
	default:
		return requested
	}
}
