package replica

import (
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
)

// The snapshot methods. Not implemented yet: they answer with a clear
// reject until the snapshot milestone lands.

func snapshotsNotYet() error {
	return reject.New(reject.UnknownManagementMessage, "canister snapshots are not supported by this replica yet")
}

// TakeCanisterSnapshot implements take_canister_snapshot.
func (rd *round) TakeCanisterSnapshot(caller principal.Principal, a mgmt.TakeCanisterSnapshotArgs) (*mgmt.Snapshot, error) {
	return nil, snapshotsNotYet()
}

// LoadCanisterSnapshot implements load_canister_snapshot.
func (rd *round) LoadCanisterSnapshot(caller principal.Principal, a mgmt.LoadCanisterSnapshotArgs) error {
	return snapshotsNotYet()
}

// ListCanisterSnapshots implements list_canister_snapshots.
func (rd *round) ListCanisterSnapshots(id principal.Principal) ([]mgmt.Snapshot, error) {
	return nil, snapshotsNotYet()
}

// DeleteCanisterSnapshot implements delete_canister_snapshot.
func (rd *round) DeleteCanisterSnapshot(a mgmt.DeleteCanisterSnapshotArgs) error {
	return snapshotsNotYet()
}
