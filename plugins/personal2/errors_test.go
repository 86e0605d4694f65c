package personal2

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"

	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	"github.com/canistry/canistry/sdk/adapter"
)

func TestWriteErrorCodes(t *testing.T) {
	invalid := "key is 257 bytes; the limit is 256"
	tests := []struct {
		name     string
		err      string // the WriteError in Candid text; "" for none
		wantCode adapter.Code
		wantMsg  string
	}{
		{"conflict with current", "variant { conflict = record { current = opt 7 : nat } }", adapter.CodeAborted, "current revision is 7"},
		{"conflict absent", "variant { conflict = record { current = null } }", adapter.CodeAborted, "does not exist"},
		{"not found", "variant { not_found }", adapter.CodeNotFound, `no document "k"`},
		{"invalid", `variant { invalid = "` + invalid + `" }`, adapter.CodeInvalidArgument, invalid},
		{"unauthorized", "variant { unauthorized }", adapter.CodePermissionDenied, "not the owner"},
		{"missing", "", adapter.CodeInternal, "without a WriteError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae *adapter.Error
			if err := writeErrorOf(decodeWriteError(t, tt.err), "k"); !errors.As(err, &ae) || ae.Code != tt.wantCode || !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("writeErrorOf = %v, want code %d with %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
	// No arm set cannot come off the wire; the mapping still refuses it.
	if err := writeErrorOf(&personal_2_0_0.WriteError{}, "k"); !strings.Contains(err.Error(), "unknown WriteError") {
		t.Errorf("writeErrorOf(empty variant) = %v", err)
	}
}

// decodeWriteError decodes a WriteError from Candid text into the
// generated binding, as the canister's answer would arrive.
func decodeWriteError(t *testing.T, text string) *personal_2_0_0.WriteError {
	t.Helper()
	if text == "" {
		return nil
	}
	raw, err := candid.EncodeValueString("(" + text + ")")
	if err != nil {
		t.Fatalf("encode %s: %v", text, err)
	}
	var e personal_2_0_0.WriteError
	if err := candid.Unmarshal(raw, []any{&e}); err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return &e
}
