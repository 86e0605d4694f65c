package host

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-version"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// Manifest is an adapter's validated description of itself.
type Manifest struct {
	Name       string
	Version    *version.Version
	Protocol   string
	Constraint version.Constraints
	// ConstraintText is the constraint as the adapter declared it.
	ConstraintText string
	Services       []string
	Capabilities   []personalv1.Capability
}

// knownServices are the stable services the gateway can route to.
var knownServices = []string{"canistry.personal.v1.PersonalService"}

// ErrBadManifest marks an adapter refused at wiring time.
var ErrBadManifest = errors.New("bad adapter manifest")

// validateManifest checks what an adapter declares before any request can
// reach it: an unknown service or capability means the adapter was built
// against a contract this gateway does not have, which must not surface
// later as a per-request surprise.
func validateManifest(m *adapterv1.GetManifestResponse) (*Manifest, error) {
	if m.GetName() == "" {
		return nil, fmt.Errorf("%w: no name", ErrBadManifest)
	}
	fail := func(format string, args ...any) (*Manifest, error) {
		return nil, fmt.Errorf("%w: adapter %q: %s", ErrBadManifest, m.GetName(), fmt.Sprintf(format, args...))
	}
	v, err := version.NewSemver(m.GetVersion())
	if err != nil {
		return fail("version %q is not semver: %v", m.GetVersion(), err)
	}
	if m.GetProtocol() == "" || strings.Contains(m.GetProtocol(), "/") {
		return fail("protocol %q: want a name such as \"personal\"", m.GetProtocol())
	}
	c, err := version.NewConstraint(m.GetConstraint())
	if err != nil {
		return fail("constraint %q: %v", m.GetConstraint(), err)
	}
	if len(m.GetServices()) == 0 {
		return fail("declares no services")
	}
	for _, s := range m.GetServices() {
		if !slices.Contains(knownServices, s) {
			return fail("unknown service %q (this gateway knows %s)", s, strings.Join(knownServices, ", "))
		}
	}
	caps := make([]personalv1.Capability, 0, len(m.GetCapabilities()))
	for _, name := range m.GetCapabilities() {
		n, ok := personalv1.Capability_value[name]
		if !ok || n == 0 {
			return fail("unknown capability %q", name)
		}
		caps = append(caps, personalv1.Capability(n))
	}
	return &Manifest{
		Name: m.GetName(), Version: v, Protocol: m.GetProtocol(),
		Constraint: c, ConstraintText: m.GetConstraint(),
		Services: m.GetServices(), Capabilities: caps,
	}, nil
}

// Serves reports whether the adapter serves protocol (a name) at v.
func (m *Manifest) Serves(protocol string, v *version.Version) bool {
	return m.Protocol == protocol && m.Constraint.Check(v)
}

// Has reports whether the versions the adapter serves have capability c.
func (m *Manifest) Has(c personalv1.Capability) bool {
	return slices.Contains(m.Capabilities, c)
}

// LowestVersion is the lowest version the adapter's constraint admits,
// found among the versions the constraint names (and their next patch,
// for ">"): the lowest point of an intersection of half-lines is one of
// its lower bounds. Nil when the constraint has no lower bound found.
func (m *Manifest) LowestVersion() *version.Version {
	var best *version.Version
	for _, v := range boundaryVersions(m.ConstraintText) {
		if m.Constraint.Check(v) && (best == nil || v.LessThan(best)) {
			best = v
		}
	}
	return best
}

// overlap reports a version both manifests serve, if any. Constraints are
// intersections of half-lines (and points), so a non-empty intersection
// of two contains one of their lower bounds, or 0.0.0 when neither has
// one: checking those candidates decides the question (up to "!=" holes
// and pre-releases, which the candidates' next patch covers in practice).
func overlap(a, b *Manifest) (*version.Version, bool) {
	if a.Protocol != b.Protocol {
		return nil, false
	}
	cands := append(boundaryVersions(a.ConstraintText), boundaryVersions(b.ConstraintText)...)
	cands = append(cands, version.Must(version.NewVersion("0.0.0")))
	for _, v := range cands {
		if a.Constraint.Check(v) && b.Constraint.Check(v) {
			return v, true
		}
	}
	return nil, false
}

// boundaryVersions are the versions a constraint names, and the next
// patch of each.
func boundaryVersions(constraint string) []*version.Version {
	var out []*version.Version
	for _, term := range strings.Split(constraint, ",") {
		text := strings.TrimLeft(strings.TrimSpace(term), "=!<>~ ")
		v, err := version.NewVersion(text)
		if err != nil {
			continue
		}
		seg := v.Segments64()
		next, err := version.NewVersion(fmt.Sprintf("%d.%d.%d", seg[0], seg[1], seg[2]+1))
		if err == nil {
			out = append(out, v, next)
		}
	}
	return out
}
