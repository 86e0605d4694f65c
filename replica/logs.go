package replica

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/httpapi"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

const (
	// maxLogBytes is the IC's bound on a canister's log: the newest 4 KiB.
	maxLogBytes = 4 << 10
	// logRecordOverhead is what a record counts besides its content (its
	// index and timestamp, 8 bytes each), as the IC counts it.
	logRecordOverhead = 16
)

// recordLogs appends an execution's debug_print and trap lines to the
// canister's log, drops the oldest records beyond 4 KiB, and writes each
// line to the replica's own log at debug level. Callers hold c.mu.
func (rd *round) recordLogs(c *canister, lines []string) {
	if len(lines) == 0 {
		return
	}
	for _, line := range lines {
		content := []byte(line)
		if len(content) > maxLogBytes-logRecordOverhead {
			content = content[:maxLogBytes-logRecordOverhead]
		}
		rec := state.LogRecord{Index: c.rec.NextLogIndex, TimestampNanos: rd.time, Content: content}
		c.rec.NextLogIndex++
		c.rec.Logs = append(c.rec.Logs, rec)
		rd.r.log.Debug("canister log", "canister", c.id(), "idx", rec.Index, "content", line)
	}
	c.rec.Logs = trimLogs(c.rec.Logs)
	rd.touch(c)
}

// trimLogs keeps the newest records whose total size is within maxLogBytes.
func trimLogs(logs []state.LogRecord) []state.LogRecord {
	size := 0
	for i := len(logs) - 1; i >= 0; i-- {
		size += logRecordOverhead + len(logs[i].Content)
		if size > maxLogBytes {
			return append([]state.LogRecord(nil), logs[i+1:]...)
		}
	}
	return logs
}

// purgeLogsBefore drops the records older than index first: install and
// reinstall start the log afresh with what their own steps logged.
func purgeLogsBefore(c *canister, first uint64) {
	kept := c.rec.Logs[:0]
	for _, l := range c.rec.Logs {
		if l.Index >= first {
			kept = append(kept, l)
		}
	}
	c.rec.Logs = kept
}

// viewManagement answers a query call to the management canister.
func (r *Replica) viewManagement(req *httpapi.Request) ([]byte, error) {
	reply, err := mgmt.View(r, req.Sender, req.EffectiveCanisterID, req.Method, req.Arg)
	var mismatch *mgmt.EffectiveIDError
	if errors.As(err, &mismatch) {
		return nil, &httpapi.Error{Status: http.StatusBadRequest, Message: mismatch.Error()}
	}
	return reply, err
}

var _ mgmt.Viewer = (*Replica)(nil)

// FetchCanisterLogs implements fetch_canister_logs for whoever the
// canister's log_visibility admits: its controllers, everyone when public,
// or the allowed viewers too.
func (r *Replica) FetchCanisterLogs(caller, id principal.Principal) (*mgmt.FetchCanisterLogsResult, error) {
	c := r.lookup(id)
	if c == nil {
		return nil, canisterNotFound(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !mayViewLogs(c, caller) {
		return nil, reject.New(reject.CanisterRejectedMessage, "Caller %s is not allowed to query ic00 method fetch_canister_logs", caller)
	}
	out := &mgmt.FetchCanisterLogsResult{Records: make([]mgmt.CanisterLogRecord, 0, len(c.rec.Logs))}
	for _, l := range c.rec.Logs {
		out.Records = append(out.Records, mgmt.CanisterLogRecord{
			Idx: l.Index, TimestampNanos: l.TimestampNanos, Content: append([]byte(nil), l.Content...),
		})
	}
	return out, nil
}

func mayViewLogs(c *canister, caller principal.Principal) bool {
	switch c.rec.Settings.LogVisibility {
	case "public":
		return true
	case "allowed_viewers":
		for _, v := range c.rec.Settings.LogViewers {
			if bytes.Equal(v, caller.Raw) {
				return true
			}
		}
	}
	return c.IsController(caller)
}
