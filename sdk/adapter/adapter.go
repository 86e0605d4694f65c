package adapter

import (
	"errors"
	"fmt"
	"slices"

	version "github.com/hashicorp/go-version"
)

// Adapter is what Serve runs. Besides Manifest, an adapter implements the
// interface of every service its manifest lists (personalv1.Server for
// personalv1.Service); Serve refuses to start otherwise.
type Adapter interface {
	Manifest() Manifest
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
	var known []Capability
	for _, s := range m.Services {
		b, err := checkImplements(a, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		known = append(known, b.Capabilities...)
	}
	for _, c := range m.Capabilities {
		if !slices.Contains(known, c) {
			errs = append(errs, fmt.Errorf("manifest declares unknown capability %q", c))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("adapter %q: %w", m.Name, err)
	}
	return nil
}

// checkImplements finds the binding of s and checks that a implements it.
func checkImplements(a Adapter, s Service) (ServiceBinding, error) {
	b, ok := bindingOf(s)
	if !ok {
		return b, fmt.Errorf("manifest lists unknown service %q (import the SDK package of that API version, e.g. sdk/adapter/personalv1)", s)
	}
	if !b.Implements(a) {
		return b, fmt.Errorf("manifest lists %s but %T does not implement it", s, a)
	}
	return b, nil
}
