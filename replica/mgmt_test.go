package replica_test

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

func status(t *testing.T, a interface {
	Call(principal.Principal, string, []any, []any) error
}, id principal.Principal) mgmt.CanisterStatusResult {
	t.Helper()
	var st mgmt.CanisterStatusResult
	if err := a.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&st}); err != nil {
		t.Fatalf("canister_status: %v", err)
	}
	return st
}

// TestManagementLifecycle walks a canister through the management methods
// the issue names, checking each answer through agent-go.
func TestManagementLifecycle(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	call := func(method string, arg any) error {
		return a.Call(replicatest.Management, method, []any{arg}, []any{})
	}

	st := status(t, a, id)
	if st.Status.Running == nil || st.ModuleHash == nil || st.Cycles.BigInt().Sign() <= 0 || len(st.Settings.Controllers) != 1 {
		t.Fatalf("status after install = %+v", st)
	}
	before := st.Cycles.BigInt()

	if err := call("provisional_top_up_canister", mgmt.ProvisionalTopUpArgs{CanisterID: id, Amount: idl.NewNat(uint64(1_000_000))}); err != nil {
		t.Fatalf("top up: %v", err)
	}
	if got := status(t, a, id).Cycles.BigInt(); got.Cmp(before) <= 0 {
		t.Fatalf("cycles after top-up = %s, before %s", got, before)
	}

	// A second controller may manage; the canister itself stays listed.
	other := r.Agent(t, nil)
	ctls := []principal.Principal{a.Sender(), other.Sender()}
	if err := call("update_settings", mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{Controllers: &ctls}}); err != nil {
		t.Fatalf("update_settings: %v", err)
	}
	if got := status(t, other, id).Settings.Controllers; len(got) != 2 {
		t.Fatalf("controllers = %v", got)
	}
	tooMany := make([]principal.Principal, 11)
	for i := range tooMany {
		tooMany[i] = a.Sender()
	}
	if err := call("update_settings", mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{Controllers: &tooMany}}); err == nil || !strings.Contains(err.Error(), "IC0408") {
		t.Fatalf("11 controllers: err = %v", err)
	}

	if err := call("delete_canister", mgmt.CanisterIDArg{CanisterID: id}); err == nil || !strings.Contains(err.Error(), "IC0510") {
		t.Fatalf("delete a running canister: err = %v", err)
	}
	if err := call("stop_canister", mgmt.CanisterIDArg{CanisterID: id}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if st := status(t, a, id); st.Status.Stopped == nil {
		t.Fatalf("status after stop = %+v", st.Status)
	}
	if err := a.Call(id, "inc", nil, nil); err == nil || !strings.Contains(err.Error(), "IC0508") {
		t.Fatalf("call to a stopped canister: err = %v", err)
	}
	if err := call("start_canister", mgmt.CanisterIDArg{CanisterID: id}); err != nil {
		t.Fatalf("start: %v", err)
	}
	if got := inc(t, a, id); got != 1 {
		t.Fatalf("inc after restart = %d", got)
	}

	if err := call("uninstall_code", mgmt.UninstallCodeArgs{CanisterID: id}); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	if err := a.Call(id, "inc", nil, nil); err == nil || !strings.Contains(err.Error(), "IC0537") {
		t.Fatalf("call to an empty canister: err = %v", err)
	}
	// agent-go answers (nil, nil) only when the witness proves module_hash absent.
	if h, err := a.GetCanisterModuleHash(id); h != nil || err != nil {
		t.Fatalf("module_hash of an empty canister = %x, %v; want proven absent", h, err)
	}

	if err := call("stop_canister", mgmt.CanisterIDArg{CanisterID: id}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := call("delete_canister", mgmt.CanisterIDArg{CanisterID: id}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := call("canister_status", mgmt.CanisterIDArg{CanisterID: id}); err == nil || !strings.Contains(err.Error(), "IC0301") {
		t.Fatalf("status of a deleted canister: err = %v", err)
	}
}

func TestSpecifiedIDAndUnknownMethod(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	want := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	var out mgmt.CanisterIDResult
	args := mgmt.ProvisionalCreateArgs{SpecifiedID: &want}
	if err := a.Call(replicatest.Management, "provisional_create_canister_with_cycles", []any{args}, []any{&out}); err != nil || out.CanisterID.String() != want.String() {
		t.Fatalf("create with specified id = %s, %v", out.CanisterID, err)
	}
	err := a.Call(replicatest.Management, "provisional_create_canister_with_cycles", []any{args}, []any{&out})
	if err == nil || !strings.Contains(err.Error(), "IC0205") {
		t.Fatalf("the same id again: err = %v", err)
	}
	err = a.Call(replicatest.Management, "no_such_method", []any{mgmt.CanisterIDArg{CanisterID: want}}, []any{})
	if err == nil || !strings.Contains(err.Error(), "IC0407") {
		t.Fatalf("unknown management method: err = %v", err)
	}
	if err := a.Call(replicatest.Management, "canister_status", []any{"not a record"}, []any{}); err == nil {
		t.Fatal("canister_status with a bad argument: want an error")
	}
}
