package personal1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPageOfKeys(t *testing.T) {
	keys := []string{"b/2", "a", "b/1", "b", "c/1", "b/10"}
	tests := []struct {
		prefix, after string
		want          []string
	}{
		{"", "", []string{"a", "b", "b/1", "b/10", "b/2", "c/1"}},
		{"b/", "", []string{"b/1", "b/10", "b/2"}},
		{"b/", "b/1", []string{"b/10", "b/2"}},
		{"b/", "b/2", []string{}},
		{"z", "", []string{}},
	}
	for _, tt := range tests {
		if got := pageOfKeys(keys, tt.prefix, tt.after); !cmp.Equal(tt.want, got) {
			t.Errorf("pageOfKeys(%q, %q) = %q, want %q", tt.prefix, tt.after, got, tt.want)
		}
	}
}
