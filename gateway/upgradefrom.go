package gateway

import (
	"strings"

	"github.com/hashicorp/go-version"

	"github.com/canistry/canistry/canisters/registry"
)

// admits reports whether a release's upgrade_from constraint admits the
// installed version, in the registry's syntax: alternatives joined by
// "||", each a space-separated list of comparators that must all hold
// (">=1.0.0", "<3.0.0", "=1.0.0" or a bare version, "^2.0.0" for the same
// major, "~1.2.0" for the same minor). "" admits nothing. The registry
// decides an upgrade; this only tells a user what it would admit, so a
// constraint it cannot read admits nothing.
func admits(constraint, installed string) bool {
	v, err := version.NewSemver(installed)
	if err != nil {
		return false
	}
	for _, alt := range strings.Split(constraint, "||") {
		if allHold(strings.Fields(alt), v) {
			return true
		}
	}
	return false
}

func allHold(comparators []string, v *version.Version) bool {
	if len(comparators) == 0 {
		return false
	}
	for i := 0; i < len(comparators); i++ {
		c := comparators[i]
		if strings.Trim(c, "<>=^~") == "" && i+1 < len(comparators) { // ">= 1.0.0"
			i++
			c += comparators[i]
		}
		if !holds(c, v) {
			return false
		}
	}
	return true
}

func holds(comparator string, v *version.Version) bool {
	op := comparator[:len(comparator)-len(strings.TrimLeft(comparator, "<>=^~"))]
	bound, err := version.NewSemver(comparator[len(op):])
	if err != nil {
		return false
	}
	seg := bound.Segments()
	switch op {
	case ">=":
		return v.GreaterThanOrEqual(bound)
	case ">":
		return v.GreaterThan(bound)
	case "<=":
		return v.LessThanOrEqual(bound)
	case "<":
		return v.LessThan(bound)
	case "", "=":
		return v.Equal(bound)
	case "^":
		return v.GreaterThanOrEqual(bound) && v.Segments()[0] == seg[0]
	case "~":
		return v.GreaterThanOrEqual(bound) && v.Segments()[0] == seg[0] && v.Segments()[1] == seg[1]
	}
	return false
}

// newestUpgrade is the newest released (not deprecated) version above
// installed whose upgrade_from admits it; "" when there is none.
func newestUpgrade(releases []registry.Release, installed string) string {
	cur, err := version.NewSemver(installed)
	if err != nil {
		return ""
	}
	var best *version.Version
	for _, r := range releases {
		v, err := version.NewSemver(r.Version)
		if err != nil || r.State != registry.Released || !v.GreaterThan(cur) || !admits(r.UpgradeFrom, installed) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best = v
		}
	}
	if best == nil {
		return ""
	}
	return best.Original()
}
