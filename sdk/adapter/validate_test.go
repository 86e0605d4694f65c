package adapter

import (
	"strings"
	"testing"
)

// manifestOnly implements no service.
type manifestOnly struct{ m Manifest }

func (a manifestOnly) Manifest() Manifest { return a.m }

// fullPersonal implements PersonalV1 by embedding a nil interface: Validate
// looks only at the method set.
type fullPersonal struct {
	manifestOnly
	PersonalV1
}

func goodManifest() Manifest {
	return Manifest{
		Name: "p", Version: "1.2.3", Protocol: "personal", Constraint: ">= 2.0, < 3.0",
		Services:     []Service{ServicePersonalV1},
		Capabilities: []Capability{CapabilityDocuments, CapabilityRevisions},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Manifest)
		service bool
		wantErr string // "" means valid
	}{
		{"valid", func(*Manifest) {}, true, ""},
		{"no name", func(m *Manifest) { m.Name = "" }, true, "no name"},
		{"no protocol", func(m *Manifest) { m.Protocol = "" }, true, "no protocol"},
		{"version not semver", func(m *Manifest) { m.Version = "one" }, true, "not semver"},
		{"bad constraint", func(m *Manifest) { m.Constraint = ">= two" }, true, "constraint"},
		{"no services", func(m *Manifest) { m.Services = nil }, true, "no services"},
		{"unknown service", func(m *Manifest) { m.Services = append(m.Services, "x.Y") }, true, "unknown service"},
		{"unknown capability", func(m *Manifest) { m.Capabilities = append(m.Capabilities, "CAPABILITY_TELEPORT") }, true, "unknown capability"},
		{"service not implemented", func(*Manifest) {}, false, "does not implement adapter.PersonalV1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := goodManifest()
			tt.edit(&m)
			var a Adapter = manifestOnly{m}
			if tt.service {
				a = fullPersonal{manifestOnly: manifestOnly{m}}
			}
			err := Validate(a)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if err := Validate(nil); err == nil {
		t.Fatal("Validate(nil) passed")
	}
}
