package exec

import (
	"bytes"
	"testing"
)

// copySparse leaves dst equal to src whatever either holds, partial last
// page included.
func TestCopySparseMakesEqual(t *testing.T) {
	n := 3*DeltaPageSize + 100
	src, dst := make([]byte, n), make([]byte, n)
	src[10] = 1                 // page 0: only src has data
	dst[DeltaPageSize+5] = 2    // page 1: only dst has data, must be cleared
	src[2*DeltaPageSize] = 3    // page 2: both
	dst[2*DeltaPageSize+1] = 4  //
	src[3*DeltaPageSize+99] = 5 // the partial last page
	copySparse(dst, src)
	if !bytes.Equal(dst, src) {
		t.Fatal("dst differs from src after copySparse")
	}
	if c := cloneSparse(src); !bytes.Equal(c, src) {
		t.Fatal("cloneSparse differs from its source")
	}
	if cloneSparse(nil) != nil {
		t.Fatal("cloneSparse(nil) is not nil")
	}
}
