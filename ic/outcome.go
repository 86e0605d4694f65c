package ic

import (
	"errors"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
)

// Outcome reads request id's status from a certified tree (verify the
// certificate first): done is false while the IC is still working on it.
// A rejected request is a *Reject.
func Outcome(tree hashtree.HashTree, id agent.RequestID) (reply []byte, done bool, err error) {
	path := []hashtree.Label{hashtree.Label("request_status"), id[:]}
	status, err := tree.Lookup(append(path, hashtree.Label("status"))...)
	if err != nil {
		var le hashtree.LookupError
		if errors.As(err, &le) && le.Type == hashtree.LookupResultAbsent {
			return nil, false, nil
		}
		return nil, true, err
	}
	switch string(status) {
	case "replied":
		reply, err := tree.Lookup(append(path, hashtree.Label("reply"))...)
		return reply, true, err
	case "rejected":
		code, _ := tree.Lookup(append(path, hashtree.Label("reject_code"))...)
		msg, _ := tree.Lookup(append(path, hashtree.Label("reject_message"))...)
		ec, _ := tree.Lookup(append(path, hashtree.Label("error_code"))...)
		return nil, true, &Reject{RejectCode: uint32(leUint(code)), ErrorCode: string(ec), Message: string(msg)}
	case "done":
		return nil, true, errors.New("the reply is no longer available (status done)")
	}
	return nil, false, nil
}

// leUint reads a certified nat (unsigned LEB128).
func leUint(b []byte) uint64 {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			break
		}
	}
	return v
}
