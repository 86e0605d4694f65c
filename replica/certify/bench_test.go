package certify

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"testing"
	"time"
)

const benchRequests = 100_000

var (
	benchOnce sync.Once
	benchTree Tree
)

func requestID(i int) []byte {
	sum := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
	return sum[:]
}

// bigState is a state tree with 100k replied requests (status and reply leaves each).
func bigState() Tree {
	benchOnce.Do(func() {
		for i := range benchRequests {
			rid := requestID(i)
			benchTree = benchTree.Set(Path{[]byte("request_status"), rid, []byte("status")}, []byte("replied"))
			benchTree = benchTree.Set(Path{[]byte("request_status"), rid, []byte("reply")}, []byte("DIDL\x00\x01\x71\x05hello"))
		}
	})
	return benchTree
}

// BenchmarkTreeSetNewRequest adds a fresh request_status entry to a tree with 100k requests.
func BenchmarkTreeSetNewRequest(b *testing.B) {
	tree := bigState()
	i := benchRequests
	for b.Loop() {
		_ = tree.Set(Path{[]byte("request_status"), requestID(i), []byte("status")}, []byte("received"))
		i++
	}
}

// BenchmarkTreeSetExistingRequest changes the status of an existing request (100k requests).
func BenchmarkTreeSetExistingRequest(b *testing.B) {
	tree := bigState()
	rids := make([][]byte, 1024)
	for i := range rids {
		rids[i] = requestID(i * 97)
	}
	i := 0
	for b.Loop() {
		_ = tree.Set(Path{[]byte("request_status"), rids[i%len(rids)], []byte("status")}, []byte("processing"))
		i++
	}
}

// BenchmarkTreeDeleteRequest removes one request's whole subtree (100k requests).
func BenchmarkTreeDeleteRequest(b *testing.B) {
	tree := bigState()
	i := 0
	for b.Loop() {
		_ = tree.Delete(Path{[]byte("request_status"), requestID(i % benchRequests)})
		i++
	}
}

// BenchmarkCertify sets /time and BLS-signs the root hash of the 100k-request tree.
func BenchmarkCertify(b *testing.B) {
	k := newTestKeys(b)
	tree := bigState()
	now := time.Now()
	c, err := NewCertifier(k, now)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Certify(tree, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCertificate builds the witness and CBOR of a request_status read_state certificate.
func BenchmarkCertificate(b *testing.B) {
	k := newTestKeys(b)
	now := time.Now()
	c, err := NewCertifier(k, now)
	if err != nil {
		b.Fatal(err)
	}
	certified, err := c.Certify(bigState(), now)
	if err != nil {
		b.Fatal(err)
	}
	paths := []Path{{[]byte("request_status"), requestID(4242)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := certified.Certificate(paths); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild100kRequests measures building the 100k-request tree from scratch.
func BenchmarkBuild100kRequests(b *testing.B) {
	for b.Loop() {
		var tree Tree
		for i := range benchRequests {
			tree = tree.Set(Path{[]byte("request_status"), requestID(i), []byte("status")}, []byte("replied"))
		}
	}
}

// BenchmarkTreeChurn is the replica's steady state at 100k requests: each op adds a new request
// (status and reply) and expires the oldest one, building on the previous version, so the
// occasional partial rebuild of the request_status level is included in the average.
func BenchmarkTreeChurn(b *testing.B) {
	tree := bigState()
	entry := Tree{}.Set(Path{[]byte("status")}, []byte("replied")).Set(Path{[]byte("reply")}, []byte("DIDL\x00\x00"))
	i := benchRequests
	for b.Loop() {
		tree = tree.SetTree(Path{[]byte("request_status"), requestID(i)}, entry)
		tree = tree.Delete(Path{[]byte("request_status"), requestID(i - benchRequests)})
		i++
	}
}
