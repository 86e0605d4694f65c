package adaptertest

import (
	"testing"

	version "github.com/hashicorp/go-version"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkManifest is Validate plus what the personal API needs of a manifest.
func checkManifest(t *testing.T, a adapter.Adapter) {
	if err := adapter.Validate(a); err != nil {
		t.Fatal(err)
	}
	m := a.Manifest()
	if m.Protocol != "personal" {
		t.Errorf("manifest protocol %q: this kit checks personal adapters", m.Protocol)
	}
	if _, err := version.NewConstraint(m.Constraint); err != nil {
		t.Errorf("constraint: %v", err)
	}
	caps := map[adapter.Capability]bool{}
	for _, c := range m.Capabilities {
		if caps[c] {
			t.Errorf("capability %s declared twice", c)
		}
		caps[c] = true
	}
	if !caps[personalv1.CapabilityDocuments] {
		t.Errorf("every personal adapter serves documents: %s missing", personalv1.CapabilityDocuments)
	}
	if caps[personalv1.CapabilityConditionalWrites] && !caps[personalv1.CapabilityRevisions] {
		t.Errorf("%s needs %s: a condition is a revision", personalv1.CapabilityConditionalWrites, personalv1.CapabilityRevisions)
	}
}
