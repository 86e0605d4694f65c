package replica

import (
	"bytes"
	"slices"
	"sync"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// snapshotIndex holds every canister's snapshot records (not their
// memories, which stay on disk) so that list, limits and canister_status
// need no disk reads. It is loaded at start and then changed together with
// the round's batch, like the canister records.
type snapshotIndex struct {
	mu         sync.Mutex
	byCanister map[string][]*state.Snapshot // in the order taken
}

func (x *snapshotIndex) load(store *state.Store) error {
	snaps, err := store.Snapshots()
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byCanister = make(map[string][]*state.Snapshot)
	for _, s := range snaps {
		x.byCanister[string(s.Canister)] = append(x.byCanister[string(s.Canister)], s)
	}
	return nil
}

// list returns a canister's snapshots in the order they were taken.
func (x *snapshotIndex) list(canister []byte) []*state.Snapshot {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.byCanister[string(canister)])
}

func (x *snapshotIndex) find(canister, id []byte) *state.Snapshot {
	for _, s := range x.list(canister) {
		if bytes.Equal(s.ID, id) {
			return s
		}
	}
	return nil
}

// owned finds snapshot id of canister c with the IC's errors: IC0305 when
// it does not exist, IC0406 when it is another canister's.
func (x *snapshotIndex) owned(c principal.Principal, id []byte) (*state.Snapshot, error) {
	if s := x.find(c.Raw, id); s != nil {
		return s, nil
	}
	if owner, ok := snapshotOwner(id); ok && !bytes.Equal(owner, c.Raw) && x.find(owner, id) != nil {
		return nil, reject.New(reject.CanisterRejectedMessage,
			"The snapshot %s does not belong to canister %s.", snapshotText(id), c)
	}
	return nil, reject.New(reject.CanisterSnapshotNotFound,
		"Could not find the snapshot ID %s for canister %s.", snapshotText(id), c)
}

func (x *snapshotIndex) add(s *state.Snapshot) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byCanister == nil {
		x.byCanister = make(map[string][]*state.Snapshot)
	}
	x.byCanister[string(s.Canister)] = append(x.byCanister[string(s.Canister)], s)
}

func (x *snapshotIndex) remove(canister, id []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	key := string(canister)
	x.byCanister[key] = slices.DeleteFunc(x.byCanister[key], func(s *state.Snapshot) bool { return bytes.Equal(s.ID, id) })
	if len(x.byCanister[key]) == 0 {
		delete(x.byCanister, key)
	}
}

// dropCanister forgets a deleted canister's snapshots (the store drops
// them with the canister).
func (x *snapshotIndex) dropCanister(canister []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.byCanister, string(canister))
}

// totalSize is the memory a canister's snapshots use.
func (x *snapshotIndex) totalSize(canister []byte) uint64 {
	var size uint64
	for _, s := range x.list(canister) {
		size += s.TotalSize
	}
	return size
}
