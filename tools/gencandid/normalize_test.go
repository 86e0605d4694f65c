package main

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	// The two forms moc emits that agent-go v0.9.2 rejects: a line break
	// inside an argument list, and a named service type.
	in := "type T = record { a: text; };\ntype S = \n service {\n   put: (key: text, if_revision:\n    opt nat) -> (T);\n };\nservice : (init: record {owner: principal;}) -> S\n"
	want := `type T = record { a: text; }; service : (init: record {owner: principal;}) -> { put: (key: text, if_revision: opt nat) -> (T); }`
	got, err := normalize(in)
	if err != nil || strings.TrimSpace(got) != want {
		t.Errorf("normalize = %q, %v\nwant %q", got, err, want)
	}
	if got := collapseSpace("x: \"a  b\"\n  y"); got != `x: "a  b" y` {
		t.Errorf("collapseSpace kept or broke a quoted name: %q", got)
	}
}

func TestNormalizeRefusesServiceReferences(t *testing.T) {
	in := "type S = service { f: () -> (); }; type R = record { peer: S; }; service : S"
	if _, err := normalize(in); err == nil || !strings.Contains(err.Error(), "used 2 times") {
		t.Errorf("normalize of a service reference type = %v; want a refusal", err)
	}
}

func TestNormalizeDropsComments(t *testing.T) {
	in := "// the contract\ntype T = record {\n  a : text; // \"a\" // b\n  \"x//y\" : nat;\n};\nservice : {} // end"
	want := `type T = record { a : text; "x//y" : nat; }; service : {}`
	if got, err := normalize(in); err != nil || strings.TrimSpace(got) != want {
		t.Errorf("normalize = %q, %v\nwant %q", got, err, want)
	}
}
