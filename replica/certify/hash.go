package certify

import "crypto/sha256"

// Domain separators of the hash-tree node kinds: length byte followed by the ASCII name.
var (
	emptyHash  = sha256.Sum256([]byte("\x11ic-hashtree-empty"))
	forkSep    = []byte("\x10ic-hashtree-fork")
	labeledSep = []byte("\x13ic-hashtree-labeled")
	leafSep    = []byte("\x10ic-hashtree-leaf")
)

func forkHash(left, right [32]byte) [32]byte {
	var buf [17 + 64]byte
	copy(buf[:], forkSep)
	copy(buf[17:], left[:])
	copy(buf[49:], right[:])
	return sha256.Sum256(buf[:])
}

func labeledHash(label []byte, sub [32]byte) [32]byte {
	h := sha256.New()
	h.Write(labeledSep)
	h.Write(label)
	h.Write(sub[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func leafHash(value []byte) [32]byte {
	h := sha256.New()
	h.Write(leafSep)
	h.Write(value)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
