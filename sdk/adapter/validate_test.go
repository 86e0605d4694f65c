package adapter_test

import (
	"strings"
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// manifestOnly implements no service.
type manifestOnly struct{ m adapter.Manifest }

func (a manifestOnly) Manifest() adapter.Manifest { return a.m }

// fullPersonal implements personalv1.Server by embedding a nil interface:
// Validate looks only at the method set.
type fullPersonal struct {
	manifestOnly
	personalv1.Server
}

func goodManifest() adapter.Manifest {
	return adapter.Manifest{
		Name: "p", Version: "1.2.3", Protocol: "personal", Constraint: ">= 2.0, < 3.0",
		Services:     []adapter.Service{personalv1.Service},
		Capabilities: []adapter.Capability{personalv1.CapabilityDocuments, personalv1.CapabilityRevisions},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*adapter.Manifest)
		service bool
		wantErr string // "" means valid
	}{
		{"valid", func(*adapter.Manifest) {}, true, ""},
		{"no name", func(m *adapter.Manifest) { m.Name = "" }, true, "no name"},
		{"no protocol", func(m *adapter.Manifest) { m.Protocol = "" }, true, "no protocol"},
		{"version not semver", func(m *adapter.Manifest) { m.Version = "one" }, true, "not semver"},
		{"bad constraint", func(m *adapter.Manifest) { m.Constraint = ">= two" }, true, "constraint"},
		{"no services", func(m *adapter.Manifest) { m.Services = nil }, true, "no services"},
		{"unknown service", func(m *adapter.Manifest) { m.Services = append(m.Services, "x.Y") }, true, "unknown service"},
		{"unknown capability", func(m *adapter.Manifest) { m.Capabilities = append(m.Capabilities, "CAPABILITY_TELEPORT") }, true, "unknown capability"},
		{"service not implemented", func(*adapter.Manifest) {}, false, "does not implement it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := goodManifest()
			tt.edit(&m)
			var a adapter.Adapter = manifestOnly{m}
			if tt.service {
				a = fullPersonal{manifestOnly: manifestOnly{m}}
			}
			err := adapter.Validate(a)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("adapter.Validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("adapter.Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if err := adapter.Validate(nil); err == nil {
		t.Fatal("adapter.Validate(nil) passed")
	}
}
