package adapter

import (
	"errors"
	"fmt"
	"slices"

	version "github.com/hashicorp/go-version"
)

// Adapter is what Serve runs. Besides Manifest, an adapter implements the
// interface of every service its manifest lists (PersonalV1 for
// ServicePersonalV1); Serve refuses to start otherwise.
type Adapter interface {
	Manifest() Manifest
}

// knownCapabilities are the capabilities of the stable API an adapter may
// declare; an unknown one would be a typo the gateway could never match.
var knownCapabilities = []Capability{
	CapabilityDocuments, CapabilityRevisions, CapabilityConditionalWrites, CapabilityMessaging,
}

// Validate checks that a's manifest is well-formed and that a implements
// every service it lists. Serve calls it before serving; the conformance
// kit calls it first.
func Validate(a Adapter) error {
	if a == nil {
		return errors.New("adapter: nil adapter")
	}
	m := a.Manifest()
	var errs []error
	if m.Name == "" {
		errs = append(errs, errors.New("manifest has no name"))
	}
	if m.Protocol == "" {
		errs = append(errs, errors.New("manifest has no protocol"))
	}
	if _, err := version.NewSemver(m.Version); err != nil {
		errs = append(errs, fmt.Errorf("manifest version %q is not semver: %w", m.Version, err))
	}
	if _, err := version.NewConstraint(m.Constraint); err != nil {
		errs = append(errs, fmt.Errorf("manifest constraint %q: %w", m.Constraint, err))
	}
	if len(m.Services) == 0 {
		errs = append(errs, errors.New("manifest lists no services"))
	}
	for _, s := range m.Services {
		if err := checkImplements(a, s); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range m.Capabilities {
		if !slices.Contains(knownCapabilities, c) {
			errs = append(errs, fmt.Errorf("manifest declares unknown capability %q", c))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("adapter %q: %w", m.Name, err)
	}
	return nil
}

func checkImplements(a Adapter, s Service) error {
	switch s {
	case ServicePersonalV1:
		if _, ok := a.(PersonalV1); !ok {
			return fmt.Errorf("manifest lists %s but %T does not implement adapter.PersonalV1", s, a)
		}
		return nil
	default:
		return fmt.Errorf("manifest lists unknown service %q", s)
	}
}
