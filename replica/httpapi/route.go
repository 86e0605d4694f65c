package httpapi

import (
	"net/http"
	"strings"
)

type operation int

const (
	opStatus operation = iota + 1
	opCall
	opQuery
	opReadState
)

// route is a recognised endpoint.
type route struct {
	op      operation
	version string // "v2", "v3", "v4"
	subnet  bool   // /api/vN/subnet/<id>/...; else /api/vN/canister/<id>/...
	id      string // textual principal from the URL
}

func (rt route) method() string {
	if rt.op == opStatus {
		return http.MethodGet
	}
	return http.MethodPost
}

// canisterEndpoints lists the API versions each canister endpoint exists in
// (the IC boundary-node route table).
var canisterEndpoints = map[string]map[string]operation{
	"call":       {"v2": opCall, "v3": opCall, "v4": opCall},
	"query":      {"v2": opQuery, "v3": opQuery},
	"read_state": {"v2": opReadState, "v3": opReadState},
}

var subnetEndpoints = map[string]map[string]operation{
	"read_state": {"v2": opReadState, "v3": opReadState},
}

// parseRoute maps a URL path to an endpoint; ok is false for unknown paths.
func parseRoute(path string) (route, bool) {
	if path == "/api/v2/status" {
		return route{op: opStatus, version: "v2"}, true
	}
	parts := strings.Split(path, "/")
	// "", "api", version, "canister"|"subnet", id, endpoint
	if len(parts) != 6 || parts[0] != "" || parts[1] != "api" || parts[4] == "" {
		return route{}, false
	}
	table := canisterEndpoints
	switch parts[3] {
	case "canister":
	case "subnet":
		table = subnetEndpoints
	default:
		return route{}, false
	}
	op, ok := table[parts[5]][parts[2]]
	if !ok {
		return route{}, false
	}
	return route{op: op, version: parts[2], subnet: parts[3] == "subnet", id: parts[4]}, true
}
