package certify

import "bytes"

// Entry is one leaf of the state tree.
type Entry struct {
	Path  Path
	Value []byte
}

// SubnetType is the value of /subnet/<sid>/type for the replica's only subnet.
const SubnetType = "application"

// allPrincipalsRange is the closed interval [h”, 29×0xff] of principal bytes: it contains every
// principal (they are at most 29 bytes), so any effective canister id, aaaaa-aa included, passes
// the agents' canister-range check.
var allPrincipalsRange = [2][]byte{{}, bytes.Repeat([]byte{0xff}, 29)}

// CanisterRange is the one range of canister ids the subnet holds: every
// principal, inclusive bounds.
func (k *Keys) CanisterRange() (start, end []byte) {
	return cloneBytes(allPrincipalsRange[0]), cloneBytes(allPrincipalsRange[1])
}

// SubnetEntries returns the leaves describing the replica's subnet, which the replica must put into
// its state tree (Tree.Set each one):
//
//	/subnet/<sid>/public_key                 subnet BLS key (DER)
//	/subnet/<sid>/canister_ranges            flat ranges, read by agent-js and agent-go
//	/subnet/<sid>/node/<nid>/public_key      node Ed25519 key (DER), checked by query verification
//	/subnet/<sid>/type                       "application"
//	/canister_ranges/<sid>/<lower bound>     sharded ranges, preferred by agent-go
func (k *Keys) SubnetEntries() []Entry {
	sid := k.subnetID.Raw
	entries := []Entry{
		{Path: Path{[]byte("subnet"), sid, []byte("public_key")}, Value: k.SubnetKeyDER()},
		{Path: Path{[]byte("subnet"), sid, []byte("node"), k.nodeID.Raw, []byte("public_key")}, Value: k.NodeKeyDER()},
		{Path: Path{[]byte("subnet"), sid, []byte("type")}, Value: []byte(SubnetType)},
		{Path: Path{[]byte("subnet"), sid, []byte("canister_ranges")}, Value: cloneBytes(k.rangesValue)},
		// A shard is labeled with the lower bound of its first range.
		{Path: Path{[]byte("canister_ranges"), sid, allPrincipalsRange[0]}, Value: cloneBytes(k.rangesValue)},
	}
	for i := range entries {
		entries[i].Path = clonePath(entries[i].Path)
	}
	return entries
}

// delegationPaths are the paths a delegation certificate reveals about the subnet (besides /time).
func (k *Keys) delegationPaths() []Path {
	sid := k.subnetID.Raw
	return []Path{
		{[]byte("subnet"), sid, []byte("public_key")},
		{[]byte("subnet"), sid, []byte("canister_ranges")},
		{[]byte("subnet"), sid, []byte("type")},
		{[]byte("canister_ranges"), sid},
	}
}

func clonePath(p Path) Path {
	out := make(Path, len(p))
	for i, label := range p {
		out[i] = cloneBytes(label)
	}
	return out
}
