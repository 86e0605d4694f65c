package gateway

import "testing"

func TestProtocolLabel(t *testing.T) {
	for in, want := range map[string]string{
		"personal/2.1.3":   "personal/2",
		"personal/10.0.0":  "personal/10",
		"registry/1.0.0-a": "registry/1",
		"":                 "none",
		"personal":         "none",
		"/1.0.0":           "none",
		"personal/x.1.0":   "none",
		"personal/":        "none",
	} {
		if got := protocolLabel(in); got != want {
			t.Errorf("protocolLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
