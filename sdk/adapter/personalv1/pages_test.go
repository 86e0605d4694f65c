package personalv1

import "testing"

func TestPageSize(t *testing.T) {
	for _, tt := range []struct{ in, want uint32 }{{0, 50}, {1, 1}, {100, 100}, {101, 100}, {1 << 31, 100}} {
		if got := PageSize(tt.in); got != tt.want {
			t.Errorf("PageSize(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
