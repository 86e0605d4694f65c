package adaptertest

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"sync"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// icService is the host's IcService as the kit plays it: agent-go calls
// to the one canister a token is scoped to, with the kit's identity, like
// the gateway does with the caller's.
type icService struct {
	adapterv1.UnimplementedIcServiceServer
	agent *agent.Agent

	mu     sync.Mutex
	scopes map[string]principal.Principal
}

func newICService(a *agent.Agent) *icService {
	return &icService{agent: a, scopes: map[string]principal.Principal{}}
}

// grant makes a token scoped to canister.
func (s *icService) grant(canister principal.Principal) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	token := "token-" + strconv.Itoa(len(s.scopes)+1) + "-" + canister.String()
	s.scopes[token] = canister
	return token
}

func (s *icService) scope(token string) (principal.Principal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.scopes[token]
	if !ok {
		return principal.Principal{}, status.Error(codes.PermissionDenied, "unknown IcService token")
	}
	return c, nil
}

func (s *icService) Query(ctx context.Context, req *adapterv1.QueryRequest) (*adapterv1.QueryResponse, error) {
	canister, err := s.scope(req.GetToken())
	if err != nil {
		return nil, err
	}
	call, err := s.agent.CreateRawAPIRequest(agent.RequestTypeQuery, canister, req.GetMethod(), req.GetArg())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	var reply []byte
	if err := call.QueryWithContext(ctx, &reply, false); err != nil {
		return nil, agentErrorToStatus(err)
	}
	return &adapterv1.QueryResponse{Reply: reply}, nil
}

func (s *icService) Call(ctx context.Context, req *adapterv1.CallRequest) (*adapterv1.CallResponse, error) {
	canister, err := s.scope(req.GetToken())
	if err != nil {
		return nil, err
	}
	call, err := s.agent.CreateRawAPIRequest(agent.RequestTypeCall, canister, req.GetMethod(), req.GetArg())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	var reply []byte
	if err := call.CallAndWaitWithContext(ctx, &reply); err != nil {
		return nil, agentErrorToStatus(err)
	}
	return &adapterv1.CallResponse{Reply: reply}, nil
}

// agentErrorToStatus carries an IC reject to the adapter as an IcReject
// detail. agent-go v0.9.2 reports rejects in an unexported type (whose
// exported fields reflection can read) or, after polling, as
// "(code) message".
func agentErrorToStatus(err error) error {
	reject, ok := rejectOf(err)
	if !ok {
		if errors.Is(err, context.DeadlineExceeded) {
			return status.Error(codes.DeadlineExceeded, err.Error())
		}
		return status.Error(codes.Unavailable, err.Error())
	}
	st, detailErr := status.New(codes.Unknown, reject.GetMessage()).WithDetails(reject)
	if detailErr != nil {
		return status.Error(codes.Internal, detailErr.Error())
	}
	return st.Err()
}

var polledReject = regexp.MustCompile(`^\((\d)\) (?s:(.*))$`)

func rejectOf(err error) (*adapterv1.IcReject, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Struct {
		code, msg, ec := v.FieldByName("RejectCode"), v.FieldByName("Message"), v.FieldByName("ErrorCode")
		if code.IsValid() && code.CanUint() && msg.Kind() == reflect.String && ec.Kind() == reflect.String {
			return &adapterv1.IcReject{RejectCode: uint32(code.Uint()), Message: msg.String(), ErrorCode: ec.String()}, true
		}
	}
	if m := polledReject.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.ParseUint(m[1], 10, 32)
		return &adapterv1.IcReject{RejectCode: uint32(code), Message: m[2]}, true
	}
	return nil, false
}
