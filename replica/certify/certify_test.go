package certify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

func newTestKeys(t testing.TB) *Keys {
	t.Helper()
	k, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// replicaState is a state tree as the replica would keep it: subnet entries plus some requests.
func replicaState(k *Keys) Tree {
	var tree Tree
	for _, e := range k.SubnetEntries() {
		tree = tree.Set(e.Path, e.Value)
	}
	for _, rid := range []string{"rid-1", "rid-2", "rid-3"} {
		tree = tree.Set(lbl("request_status", rid, "status"), []byte("replied"))
		tree = tree.Set(lbl("request_status", rid, "reply"), []byte("DIDL\x00\x00"))
	}
	return tree
}

func decodeCertificate(t *testing.T, raw []byte) certification.Certificate {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte{0xd9, 0xd9, 0xf7}) {
		t.Fatalf("certificate lacks the self-describe tag: % x", raw[:3])
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		t.Fatalf("agent-go cannot decode the certificate: %v", err)
	}
	return cert
}

func certifyAndDecode(t *testing.T, k *Keys, now time.Time, paths []Path) certification.Certificate {
	t.Helper()
	c, err := NewCertifier(k, now)
	if err != nil {
		t.Fatal(err)
	}
	certified, err := c.Certify(replicaState(k), now)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := certified.Certificate(paths)
	if err != nil {
		t.Fatal(err)
	}
	return decodeCertificate(t, raw)
}

func TestCertificateAcceptedByAgentGo(t *testing.T) {
	k := newTestKeys(t)
	other := newTestKeys(t)
	cert := certifyAndDecode(t, k, time.Now(), []Path{lbl("request_status", "rid-2"), lbl("request_status", "rid-9", "status")})

	ecids := map[string]principal.Principal{
		"management canister":  principal.MustDecode("aaaaa-aa"),
		"canister id":          principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai"),
		"self-authenticating":  principal.NewSelfAuthenticating(other.NodeKeyDER()),
		"anonymous (max byte)": principal.AnonymousID,
	}
	for name, ecid := range ecids {
		t.Run(name, func(t *testing.T) {
			if err := certification.VerifyCertificate(cert, ecid, k.RootKeyDER()); err != nil {
				t.Fatalf("VerifyCertificate: %v", err)
			}
		})
	}
	if err := cert.VerifyTime(5 * time.Minute); err != nil {
		t.Fatalf("VerifyTime: %v", err)
	}
	if err := certification.VerifyCertificate(cert, ecids["canister id"], other.RootKeyDER()); err == nil {
		t.Fatal("certificate verified under a foreign root key")
	}
	if cert.Delegation == nil || !cert.Delegation.SubnetId.Equal(k.SubnetID()) {
		t.Fatalf("delegation subnet = %v; want %v", cert.Delegation, k.SubnetID())
	}
	if v, err := cert.Tree.Lookup(toLabels(lbl("request_status", "rid-2", "status"))...); err != nil || string(v) != "replied" {
		t.Fatalf("status = %q, %v", v, err)
	}
	_, err := cert.Tree.Lookup(toLabels(lbl("request_status", "rid-9", "status"))...)
	if typ, ok := lookupType(err); !ok || typ != hashtree.LookupResultAbsent {
		t.Fatalf("unknown request: %v; want Absent", err)
	}
}

func TestCertificateTime(t *testing.T) {
	k := newTestKeys(t)
	now := time.Unix(1_700_000_000, 123456789)
	c, err := NewCertifier(k, now)
	if err != nil {
		t.Fatal(err)
	}
	certified, err := c.Certify(Tree{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !certified.Time().Equal(now) {
		t.Fatalf("Time() = %v", certified.Time())
	}
	raw, err := certified.Certificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	cert := decodeCertificate(t, raw)
	rawTime, err := cert.Tree.Lookup([]byte("time"))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := leb128.DecodeUnsigned(bytes.NewReader(rawTime))
	if err != nil || ns.Int64() != now.UnixNano() {
		t.Fatalf("/time = %v, %v; want %d", ns, err, now.UnixNano())
	}
	if err := cert.VerifyTime(5 * time.Minute); err == nil {
		t.Fatal("a 2023 certificate passed VerifyTime")
	}
}

func TestCanisterRanges(t *testing.T) {
	k := newTestKeys(t)
	cert := certifyAndDecode(t, k, time.Now(), nil)
	delegationTree := cert.Delegation.Certificate.Tree

	sharded, err := certification.LookupCanisterRanges(delegationTree, k.SubnetID())
	if err != nil {
		t.Fatalf("LookupCanisterRanges: %v", err)
	}
	flatRaw, err := delegationTree.Lookup(toLabels(Path{[]byte("subnet"), k.SubnetID().Raw, []byte("canister_ranges")})...)
	if err != nil {
		t.Fatalf("flat ranges missing from delegation: %v", err)
	}
	var flat certification.CanisterRanges
	if err := cbor.Unmarshal(flatRaw, &flat); err != nil {
		t.Fatal(err)
	}
	for _, ranges := range []certification.CanisterRanges{sharded, flat} {
		for _, p := range []string{"aaaaa-aa", "rrkah-fqaaa-aaaaa-aaaaq-cai", "2vxsx-fae"} {
			if !ranges.InRange(principal.MustDecode(p)) {
				t.Fatalf("%s not in ranges %v", p, ranges)
			}
		}
	}
	if v, err := delegationTree.Lookup(toLabels(Path{[]byte("subnet"), k.SubnetID().Raw, []byte("type")})...); err != nil || string(v) != "application" {
		t.Fatalf("subnet type = %q, %v", v, err)
	}
	if _, err := delegationTree.Lookup([]byte("time")); err != nil {
		t.Fatalf("delegation lacks /time: %v", err)
	}
}

func TestTamperedCertificateRejected(t *testing.T) {
	k := newTestKeys(t)
	ecid := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	tests := []struct {
		name   string
		tamper func(*certification.Certificate)
	}{
		{"tree leaf", func(c *certification.Certificate) {
			c.Tree = hashtree.NewHashTree(replaceLeaf(c.Tree.Root, "replied", "rejected"))
		}},
		{"signature", func(c *certification.Certificate) { c.Signature = flipBit(c.Signature) }},
		{"delegation signature", func(c *certification.Certificate) {
			c.Delegation.Certificate.Signature = flipBit(c.Delegation.Certificate.Signature)
		}},
		{"delegation subnet id", func(c *certification.Certificate) {
			c.Delegation.SubnetId = principal.Principal{Raw: flipBit(c.Delegation.SubnetId.Raw)}
		}},
		{"no delegation", func(c *certification.Certificate) { c.Delegation = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := certifyAndDecode(t, k, time.Now(), []Path{lbl("request_status", "rid-1")})
			if err := certification.VerifyCertificate(cert, ecid, k.RootKeyDER()); err != nil {
				t.Fatalf("untampered certificate rejected: %v", err)
			}
			tt.tamper(&cert)
			if err := certification.VerifyCertificate(cert, ecid, k.RootKeyDER()); err == nil {
				t.Fatal("tampered certificate accepted")
			}
		})
	}
}

func flipBit(b []byte) []byte {
	out := bytes.Clone(b)
	out[len(out)/2] ^= 0x01
	return out
}

func replaceLeaf(n hashtree.Node, from, to string) hashtree.Node {
	switch n := n.(type) {
	case hashtree.Fork:
		return hashtree.Fork{LeftTree: replaceLeaf(n.LeftTree, from, to), RightTree: replaceLeaf(n.RightTree, from, to)}
	case hashtree.Labeled:
		return hashtree.Labeled{Label: n.Label, Tree: replaceLeaf(n.Tree, from, to)}
	case hashtree.Leaf:
		if string(n) == from {
			return hashtree.Leaf(to)
		}
	}
	return n
}

// TestQuerySignatureVerifiesLikeAgentGo repeats agent-go's query verification (query.go): read
// /subnet from a certificate, find the node key under the delegation's subnet id and check the
// Ed25519 signature over "\x0Bic-response" · hash_of_map(response).
func TestQuerySignatureVerifiesLikeAgentGo(t *testing.T) {
	k := newTestKeys(t)
	ecid := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	cert := certifyAndDecode(t, k, time.Now(), []Path{lbl("subnet")})
	if err := certification.VerifyCertificate(cert, ecid, k.RootKeyDER()); err != nil {
		t.Fatal(err)
	}
	der, err := cert.Tree.Lookup(
		hashtree.Label("subnet"), cert.Delegation.SubnetId.Raw, hashtree.Label("node"), k.NodeID().Raw, hashtree.Label("public_key"))
	if err != nil {
		t.Fatalf("node key not in /subnet certificate: %v", err)
	}
	if len(der) != 44 {
		t.Fatalf("node key DER is %d bytes; agent-js requires 44", len(der))
	}
	pub, err := certification.PublicED25519KeyFromDER(der)
	if err != nil {
		t.Fatal(err)
	}
	requestID := sha256.Sum256([]byte("a query"))
	msg, err := certification.RepresentationIndependentHash([]certification.KeyValuePair{
		{Key: "status", Value: "replied"},
		{Key: "reply", Value: map[string]any{"arg": []byte("DIDL\x00\x00")}},
		{Key: "timestamp", Value: uint64(time.Now().UnixNano())},
		{Key: "request_id", Value: requestID[:]},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig := k.SignQueryResponse(msg[:])
	if !ed25519.Verify(*pub, append([]byte("\x0Bic-response"), msg[:]...), sig) {
		t.Fatal("query signature does not verify with the certified node key")
	}
	if ed25519.Verify(*pub, msg[:], sig) {
		t.Fatal("signature verified without the domain separator")
	}
	if got := principal.NewSelfAuthenticating(der); !got.Equal(k.NodeID()) {
		t.Fatalf("NodeID %v is not selfauth(node key) %v", k.NodeID(), got)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	k := newTestKeys(t)
	blob, err := k.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var restored Keys
	if err := restored.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]byte{
		"root key":   {k.RootKeyDER(), restored.RootKeyDER()},
		"subnet key": {k.SubnetKeyDER(), restored.SubnetKeyDER()},
		"node key":   {k.NodeKeyDER(), restored.NodeKeyDER()},
		"subnet id":  {k.SubnetID().Raw, restored.SubnetID().Raw},
		"node id":    {k.NodeID().Raw, restored.NodeID().Raw},
	} {
		if !bytes.Equal(pair[0], pair[1]) {
			t.Errorf("%s differs after round trip", name)
		}
	}
	now := time.Now()
	certs := make([][]byte, 2)
	for i, keys := range []*Keys{k, &restored} {
		c, err := NewCertifier(keys, now)
		if err != nil {
			t.Fatal(err)
		}
		certified, err := c.Certify(replicaState(keys), now)
		if err != nil {
			t.Fatal(err)
		}
		if certs[i], err = certified.Certificate([]Path{lbl("subnet")}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(certs[0], certs[1]) {
		t.Fatal("restored keys certify differently")
	}
	if len(k.RootKeyDER()) != 133 || len(k.NodeKeyDER()) != 44 {
		t.Fatalf("DER lengths %d/%d; want 133/44", len(k.RootKeyDER()), len(k.NodeKeyDER()))
	}
}

func TestKeysUnmarshalRejectsGarbage(t *testing.T) {
	good, err := newTestKeys(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	outOfRange := bytes.Clone(good)
	copy(outOfRange[16:48], bytes.Repeat([]byte{0xff}, 32)) // ≥ the BLS12-381 group order
	zero := bytes.Clone(good)
	copy(zero[48:80], make([]byte, 32))
	wrongPrefix := bytes.Clone(good)
	wrongPrefix[0] ^= 1
	for name, blob := range map[string][]byte{
		"empty": nil, "short": good[:50], "long": append(bytes.Clone(good), 0),
		"prefix": wrongPrefix, "scalar out of range": outOfRange, "zero scalar": zero,
	} {
		var k Keys
		if err := k.UnmarshalBinary(blob); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDelegationRefreshed(t *testing.T) {
	k := newTestKeys(t)
	start := time.Now()
	c, err := NewCertifier(k, start)
	if err != nil {
		t.Fatal(err)
	}
	delegationTime := func(now time.Time) int64 {
		certified, err := c.Certify(Tree{}, now)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := certified.Certificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		rawTime, err := decodeCertificate(t, raw).Delegation.Certificate.Tree.Lookup([]byte("time"))
		if err != nil {
			t.Fatal(err)
		}
		ns, err := leb128.DecodeUnsigned(bytes.NewReader(rawTime))
		if err != nil {
			t.Fatal(err)
		}
		return ns.Int64()
	}
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"fresh delegation reused", start.Add(time.Hour), start},
		{"old delegation re-signed", start.Add(25 * time.Hour), start.Add(25 * time.Hour)},
		{"clock set back re-signs", start.Add(-time.Hour), start.Add(-time.Hour)},
	}
	for _, tt := range tests {
		if got := delegationTime(tt.now); got != tt.want.UnixNano() {
			t.Errorf("%s: delegation time %d; want %d", tt.name, got, tt.want.UnixNano())
		}
	}
}

func TestSubnetCertificateAcceptedByAgentGo(t *testing.T) {
	k := newTestKeys(t)
	cert := certifyAndDecode(t, k, time.Now(), []Path{lbl("subnet")})
	if err := certification.VerifySubnetCertificate(cert, k.SubnetID(), k.RootKeyDER()); err != nil {
		t.Fatalf("VerifySubnetCertificate: %v", err)
	}
	if err := certification.VerifySubnetCertificate(cert, k.RootSubnetID(), k.RootKeyDER()); err == nil {
		t.Fatal("accepted for the wrong subnet id")
	}
}

func TestValueEncodings(t *testing.T) {
	for n, want := range map[uint64]string{0: "00", 127: "7f", 128: "8001", 624485: "e58e26"} {
		if got := NatValue(n); !bytes.Equal(got, mustHex(t, want)) {
			t.Errorf("NatValue(%d) = %x; want %s", n, got, want)
		}
	}
	controllers := []principal.Principal{principal.MustDecode("2vxsx-fae"), principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")}
	raw, err := ControllersValue(controllers)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte{0xd9, 0xd9, 0xf7}) {
		t.Fatalf("controllers lack the self-describe tag: %x", raw)
	}
	var decoded [][]byte
	if err := cbor.Unmarshal(raw, &decoded); err != nil || len(decoded) != 2 || !bytes.Equal(decoded[1], controllers[1].Raw) {
		t.Fatalf("controllers decode to %x, %v", decoded, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConcurrentCertifyAndRead certifies from several goroutines (one of them forcing delegation
// refreshes) while others read old versions; run with -race.
func TestConcurrentCertifyAndRead(t *testing.T) {
	k := newTestKeys(t)
	start := time.Now()
	c, err := NewCertifier(k, start)
	if err != nil {
		t.Fatal(err)
	}
	base := replicaState(k)
	want := base.RootHash()
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			tree := base
			for i := range 10 {
				tree = tree.Set(lbl("request_status", fmt.Sprint("g", g, "-", i), "status"), []byte("received"))
				certified, err := c.Certify(tree, start.Add(time.Duration(g*i)*13*time.Hour))
				if err == nil {
					_, err = certified.Certificate([]Path{lbl("subnet")})
				}
				if err == nil && base.RootHash() != want {
					err = fmt.Errorf("shared base tree changed")
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
