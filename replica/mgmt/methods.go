package mgmt

import "github.com/aviate-labs/agent-go/principal"

// Method describes one management canister method.
type Method struct {
	Name string
	// Ingress: users may call it with an ingress message. Methods that only
	// canisters may call are refused at pre-processing, as the IC does.
	Ingress bool
	// Canister: other canisters may call it.
	Canister bool
	// Controllers: only the target canister's controllers may call it.
	Controllers bool
	// SelfToo: the target canister itself may also call it (canister_status).
	SelfToo bool
	// Untargeted methods manage no existing canister (create, raw_rand):
	// any effective canister id is fine.
	Untargeted bool
	// TargetField names the argument's field that holds the managed
	// canister when it is not canister_id (install_chunked_code).
	TargetField string
	// Query: served only as a query call by users (fetch_canister_logs);
	// neither ingress updates nor canisters may call it.
	Query bool
	// run carries the method out on a Manager (Dispatch) or a Viewer (View).
	run handler
}

// methods is the table of the methods this replica serves.
var methods = map[string]Method{
	"provisional_create_canister_with_cycles": {Ingress: true, Canister: true, Untargeted: true, run: creates(Manager.ProvisionalCreateCanister)},
	"provisional_top_up_canister":             {Ingress: true, Canister: true, run: withoutCaller(Manager.ProvisionalTopUpCanister)},
	"create_canister":                         {Canister: true, Untargeted: true, run: creates(Manager.CreateCanister)},
	"deposit_cycles":                          {Canister: true, run: onCanister(Manager.DepositCycles)},
	"raw_rand":                                {Canister: true, Untargeted: true, run: handle(rawRand)},
	"install_code":                            {Ingress: true, Canister: true, Controllers: true, run: withCaller(Manager.InstallCode)},
	"uninstall_code":                          {Ingress: true, Canister: true, Controllers: true, run: withCaller(Manager.UninstallCode)},
	"update_settings":                         {Ingress: true, Canister: true, Controllers: true, run: withCaller(Manager.UpdateSettings)},
	"canister_status":                         {Ingress: true, Canister: true, Controllers: true, SelfToo: true, run: handle(canisterStatus)},
	"start_canister":                          {Ingress: true, Canister: true, Controllers: true, run: onCanister(Manager.StartCanister)},
	"stop_canister":                           {Ingress: true, Canister: true, Controllers: true, run: onCanister(Manager.StopCanister)},
	"delete_canister":                         {Ingress: true, Canister: true, Controllers: true, run: onCanister(Manager.DeleteCanister)},
	"take_canister_snapshot":                  {Ingress: true, Canister: true, Controllers: true, run: handle(takeSnapshot)},
	"load_canister_snapshot":                  {Ingress: true, Canister: true, Controllers: true, run: withCaller(Manager.LoadCanisterSnapshot)},
	"list_canister_snapshots":                 {Ingress: true, Canister: true, Controllers: true, run: handle(listSnapshots)},
	"delete_canister_snapshot":                {Ingress: true, Canister: true, Controllers: true, run: withoutCaller(Manager.DeleteCanisterSnapshot)},
	"fetch_canister_logs":                     {Query: true, run: viewed(fetchLogs)},
	"upload_chunk":                            {Ingress: true, Canister: true, Controllers: true, SelfToo: true, run: handle(uploadChunk)},
	"stored_chunks":                           {Ingress: true, Canister: true, Controllers: true, SelfToo: true, run: handle(storedChunks)},
	"clear_chunk_store":                       {Ingress: true, Canister: true, Controllers: true, SelfToo: true, run: onCanister(Manager.ClearChunkStore)},
	"install_chunked_code":                    {Ingress: true, Canister: true, Controllers: true, TargetField: "target_canister", run: withCaller(Manager.InstallChunkedCode)},
	"canister_info":                           {Canister: true, run: handle(canisterInfo)},
}

// Lookup finds a method by name.
func Lookup(name string) (Method, bool) {
	m, ok := methods[name]
	m.Name = name
	return m, ok
}

// The methods whose call or reply has a shape of its own.

// rawRand reads no argument: raw_rand ignores whatever it is sent.
func rawRand(m Manager, _ principal.Principal, _ none) ([]byte, error) { return m.RawRand() }

func canisterStatus(m Manager, _ principal.Principal, a CanisterIDArg) (CanisterStatusResult, error) {
	return deref(m.CanisterStatus(a.CanisterID))
}

func takeSnapshot(m Manager, caller principal.Principal, a TakeCanisterSnapshotArgs) (Snapshot, error) {
	return deref(m.TakeCanisterSnapshot(caller, a))
}

// listSnapshots replies with an empty vector, never a null, when there are none.
func listSnapshots(m Manager, _ principal.Principal, a CanisterIDArg) ([]Snapshot, error) {
	list, err := m.ListCanisterSnapshots(a.CanisterID)
	if list == nil {
		list = []Snapshot{}
	}
	return list, err
}

func fetchLogs(v Viewer, caller principal.Principal, a CanisterIDArg) (FetchCanisterLogsResult, error) {
	r, err := deref(v.FetchCanisterLogs(caller, a.CanisterID))
	if r.Records == nil {
		r.Records = []CanisterLogRecord{}
	}
	return r, err
}

func uploadChunk(m Manager, _ principal.Principal, a UploadChunkArgs) (ChunkHash, error) {
	return deref(m.UploadChunk(a))
}

// storedChunks replies with an empty vector, never a null, when there are none.
func storedChunks(m Manager, _ principal.Principal, a CanisterIDArg) ([]ChunkHash, error) {
	list, err := m.StoredChunks(a.CanisterID)
	if list == nil {
		list = []ChunkHash{}
	}
	return list, err
}

func canisterInfo(m Manager, _ principal.Principal, a CanisterInfoArgs) (CanisterInfoResult, error) {
	r, err := deref(m.CanisterInfo(a))
	if r.RecentChanges == nil {
		r.RecentChanges = []Change{}
	}
	if r.Controllers == nil {
		r.Controllers = []principal.Principal{}
	}
	return r, err
}
