package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	if got := Cut("short", 10); got != "short" {
		t.Errorf("Cut(short) = %q", got)
	}
	long := strings.Repeat("é", 1000) // 2 bytes each
	got := Cut(long, 101)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "(1900 bytes more)") || len(got) > 130 {
		t.Errorf("Cut(long, 101) = %q", got)
	}
}
