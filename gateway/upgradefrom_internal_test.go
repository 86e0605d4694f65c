package gateway

import (
	"testing"

	"github.com/canistry/canistry/canisters/registry"
)

func TestAdmits(t *testing.T) {
	for _, tc := range []struct {
		constraint, installed string
		want                  bool
	}{
		{">=1.0.0 <3.0.0", "1.0.0", true},
		{">=1.0.0 <3.0.0", "2.5.1", true},
		{">=1.0.0 <3.0.0", "3.0.0", false},
		{">=1.0.0 <3.0.0", "0.9.0", false},
		{">= 1.0.0 < 2.0.0", "1.2.0", true},
		{"", "1.0.0", false},
		{"=1.0.0", "1.0.0", true},
		{"1.0.0", "1.0.1", false},
		{"^2.0.0", "2.9.0", true},
		{"^2.0.0", "3.0.0", false},
		{"~1.2.0", "1.2.7", true},
		{"~1.2.0", "1.3.0", false},
		{"=1.0.0 || >=2.0.0 <2.1.0", "2.0.5", true},
		{"=1.0.0 || >=2.0.0 <2.1.0", "1.5.0", false},
		{"banana", "1.0.0", false},
		{">=1.0.0", "not-a-version", false},
	} {
		if got := admits(tc.constraint, tc.installed); got != tc.want {
			t.Errorf("admits(%q, %q) = %v, want %v", tc.constraint, tc.installed, got, tc.want)
		}
	}
}

func TestNewestUpgrade(t *testing.T) {
	rel := func(v, from string, s registry.ReleaseState) registry.Release {
		return registry.Release{Version: v, UpgradeFrom: from, State: s}
	}
	releases := []registry.Release{
		rel("1.0.0", "", registry.Released),
		rel("2.0.0", ">=1.0.0 <2.0.0", registry.Released),
		rel("3.0.0", ">=1.0.0 <3.0.0", registry.Released),
		rel("4.0.0", ">=1.0.0 <4.0.0", registry.Revoked),
		rel("5.0.0", ">=1.0.0 <5.0.0", registry.Approved),
	}
	for installed, want := range map[string]string{"1.0.0": "3.0.0", "2.0.0": "3.0.0", "3.0.0": "", "": ""} {
		if got := newestUpgrade(releases, installed); got != want {
			t.Errorf("newestUpgrade from %q = %q, want %q", installed, got, want)
		}
	}
}
