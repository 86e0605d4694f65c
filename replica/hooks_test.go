package replica_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// certifier is a wasm32 canister that certifies its update's argument and
// hands out data certificates and its canister_version from queries.
const certifier = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "certified_data_set" (func $certify (param i32 i32)))
  (import "ic0" "data_certificate_present" (func $present (result i32)))
  (import "ic0" "data_certificate_size" (func $cert_size (result i32)))
  (import "ic0" "data_certificate_copy" (func $cert_copy (param i32 i32 i32)))
  (import "ic0" "canister_version" (func $version (result i64)))
  (memory 1)
  (func (export "canister_update certify")
    (call $arg_copy (i32.const 0) (i32.const 0) (call $arg_size))
    (call $certify (i32.const 0) (call $arg_size))
    (call $reply))
  (func (export "canister_query cert")
    (if (call $present)
      (then
        (call $cert_copy (i32.const 0) (i32.const 0) (call $cert_size))
        (call $append (i32.const 0) (call $cert_size))))
    (call $reply))
  (func (export "canister_query version")
    (i64.store (i32.const 0) (call $version))
    (call $append (i32.const 0) (i32.const 8))
    (call $reply)))`

// TestCertifiedDataAndDataCertificate: what a canister certifies in an
// update is proven to a client by the data certificate of a query.
func TestCertifiedDataAndDataCertificate(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, watModule(t, certifier), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	version := func() uint64 {
		b, err := a.QueryRaw(id, "version", []byte{})
		if err != nil || len(b) != 8 {
			t.Fatalf("version = %x, %v", b, err)
		}
		return binary.LittleEndian.Uint64(b)
	}
	v0 := version()
	data := bytes.Repeat([]byte{0xab}, 32)
	if _, err := a.CallRaw(id, "certify", data); err != nil {
		t.Fatalf("certify: %v", err)
	}
	if v1 := version(); v1 != v0+1 {
		t.Fatalf("canister_version after an update = %d, want %d", v1, v0+1)
	}
	raw, err := a.QueryRaw(id, "cert", []byte{})
	if err != nil || len(raw) == 0 {
		t.Fatalf("cert = %d bytes, %v; want a data certificate", len(raw), err)
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		t.Fatalf("decode data certificate: %v", err)
	}
	if err := certification.VerifyCertifiedData(cert, id, a.GetRootKey(), data); err != nil {
		t.Fatalf("verify certified data: %v", err)
	}
	// More than 32 bytes is a contract violation that changes nothing.
	if _, err := a.CallRaw(id, "certify", bytes.Repeat([]byte{1}, 33)); err == nil {
		t.Fatal("certifying 33 bytes: want a trap")
	}
	raw, _ = a.QueryRaw(id, "cert", []byte{})
	if err := cbor.Unmarshal(raw, &cert); err != nil || certification.VerifyCertifiedData(cert, id, a.GetRootKey(), data) != nil {
		t.Fatal("certified data changed by a trapped update")
	}
}
