package ic

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/ic/reject"
)

// Reject is the Internet Computer's refusal of a call, with its codes.
type Reject struct {
	// RejectCode is 1 SYS_FATAL ... 6 SYS_UNKNOWN.
	RejectCode uint32
	// ErrorCode is the IC's error code such as "IC0503"; empty when the
	// IC's answer did not carry one.
	ErrorCode string
	Message   string
}

func (r *Reject) Error() string {
	return fmt.Sprintf("IC reject %d (%s): %s", r.RejectCode, r.ErrorCode, r.Message)
}

// Code is the Connect code of a reject, from the one table (ic/reject).
func (r *Reject) Code() connect.Code {
	return reject.CodeOf(r.RejectCode, r.ErrorCode)
}

// MethodNotFound reports the IC's typed sign that the canister's interface
// changed: it does not export the method called.
func (r *Reject) MethodNotFound() bool {
	return r.ErrorCode == reject.ErrorCodeMethodNotFound
}

// HTTPError is the IC refusing a request over HTTP, before it became a
// message: a malformed or oversized request (4xx) or an unavailable
// replica (5xx). Status says which; Message is the IC's body, cut short.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("the IC refused the request with HTTP %d: %s", e.Status, e.Message)
}

// Code is the Connect code of the refusal, from the one table.
func (e *HTTPError) Code() connect.Code { return reject.HTTPStatusCode(e.Status) }

// agentHTTPPattern matches agent-go v0.9.2's only form of an HTTP refusal,
// "(413) 413 Request Entity Too Large: body" — it has no typed error.
var agentHTTPPattern = regexp.MustCompile(`^\((\d{3})\) [^:]*: (?s)(.*)$`)

// asHTTPError recovers the IC's HTTP refusal from an agent-go error.
func asHTTPError(err error) (*HTTPError, bool) {
	var h *HTTPError
	if errors.As(err, &h) {
		return h, true
	}
	m := agentHTTPPattern.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, false
	}
	status, _ := strconv.Atoi(m[1])
	msg := m[2]
	if len(msg) > 256 {
		msg = msg[:256] + "…"
	}
	return &HTTPError{Status: status, Message: msg}, true
}

// agentRejectPattern matches the text agent-go gives a reject it learnt by
// polling: "(5) message" — it drops the error code on that path.
var agentRejectPattern = regexp.MustCompile(`^\((\d)\) (.*)$`)

// asReject recovers the IC's reject from an agent-go error. agent-go v0.9.2
// keeps rejects in an unexported type whose fields are exported, so they
// are read by reflection rather than by parsing its Error text; rejects
// learnt by polling are only text.
func asReject(err error) (*Reject, bool) {
	if err == nil {
		return nil, false
	}
	var r *Reject
	if errors.As(err, &r) {
		return r, true
	}
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Struct {
		code, msg, ec := v.FieldByName("RejectCode"), v.FieldByName("Message"), v.FieldByName("ErrorCode")
		if code.IsValid() && code.CanUint() && msg.Kind() == reflect.String && ec.Kind() == reflect.String {
			return &Reject{RejectCode: uint32(code.Uint()), Message: msg.String(), ErrorCode: ec.String()}, true
		}
	}
	if m := agentRejectPattern.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		if code >= 1 && code <= 6 {
			return &Reject{RejectCode: uint32(code), Message: m[2]}, true
		}
	}
	return nil, false
}
