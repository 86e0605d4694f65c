package gateway

import "testing"

func TestParseProtocol(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		name, version string
		ok            bool
	}{
		"personal/2.0.0":       {"personal", "2.0.0", true},
		" personal/1.2.3 ":     {"personal", "1.2.3", true},
		"personal/3.0.0-beta1": {"personal", "3.0.0-beta1", true},
		"personal":             {"", "", false},
		"/1.0.0":               {"", "", false},
		"personal/two":         {"", "", false},
		"":                     {"", "", false},
	}
	for in, want := range tests {
		name, v, err := parseProtocol(in)
		if (err == nil) != want.ok {
			t.Errorf("parseProtocol(%q) error = %v, want ok=%v", in, err, want.ok)
			continue
		}
		if err == nil && (name != want.name || v.String() != want.version) {
			t.Errorf("parseProtocol(%q) = %s, %s; want %s, %s", in, name, v, want.name, want.version)
		}
	}
}
