package gateway

import (
	"github.com/hashicorp/go-version"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/personalapi"
)

// What each request needs beyond plain documents. The gateway checks these
// against the adapter's declared capabilities before calling it, so a
// client learns at once which version it would need.

func putNeeds(r *personalv1.PutDocumentRequest) []personalv1.Capability {
	needs := []personalv1.Capability{personalv1.Capability_CAPABILITY_DOCUMENTS}
	if ct := r.GetContentType(); ct != "" && ct != personalapi.DefaultContentType {
		needs = append(needs, personalv1.Capability_CAPABILITY_REVISIONS)
	}
	if r.IfRevision != nil {
		needs = append(needs, personalv1.Capability_CAPABILITY_CONDITIONAL_WRITES)
	}
	return needs
}

func deleteNeeds(r *personalv1.DeleteDocumentRequest) []personalv1.Capability {
	if r.IfRevision != nil {
		return []personalv1.Capability{personalv1.Capability_CAPABILITY_DOCUMENTS, personalv1.Capability_CAPABILITY_CONDITIONAL_WRITES}
	}
	return []personalv1.Capability{personalv1.Capability_CAPABILITY_DOCUMENTS}
}

var (
	documentsOnly = []personalv1.Capability{personalv1.Capability_CAPABILITY_DOCUMENTS}
	messaging     = []personalv1.Capability{personalv1.Capability_CAPABILITY_MESSAGING}
)

// checkCapabilities refuses the first need the binding's adapter lacks.
func (g *Gateway) checkCapabilities(b *binding, needs []personalv1.Capability) error {
	m := b.adapter.Manifest()
	for _, c := range needs {
		if !m.Has(c) {
			return versionError(b, c, g.firstVersionWith(b.name, c))
		}
	}
	return nil
}

// firstVersionWith is the lowest version of protocol that an adapter of
// this gateway serves with capability c, e.g. "personal/2.0.0"; empty when
// no adapter has it.
func (g *Gateway) firstVersionWith(protocol string, c personalv1.Capability) string {
	var best *version.Version
	for _, a := range g.host.Adapters() {
		m := a.Manifest()
		if m.Protocol != protocol || !m.Has(c) {
			continue
		}
		if v := m.LowestVersion(); v != nil && (best == nil || v.LessThan(best)) {
			best = v
		}
	}
	if best == nil {
		return ""
	}
	return protocol + "/" + best.String()
}
