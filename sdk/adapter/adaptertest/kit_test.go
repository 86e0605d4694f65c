package adaptertest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/canistry/canistry/plugins/personal1"
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/adaptertest"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// Broken adapters, each departing from the API in one way the kit must
// catch.

// silentConditional honours if_revision but does not declare it.
type silentConditional struct{ personal2.Adapter }

func (a silentConditional) Manifest() adapter.Manifest {
	m := a.Adapter.Manifest()
	m.Capabilities = m.Capabilities[:2]
	return m
}

// untypedNotFound answers a missing document with a plain error.
type untypedNotFound struct{ personal1.Adapter }

func (a untypedNotFound) GetDocument(ctx context.Context, c adapter.Call, key string) (*personalv1.Document, error) {
	doc, err := a.Adapter.GetDocument(ctx, c, key)
	if err != nil {
		return nil, errors.New("not there")
	}
	return doc, nil
}

// noPrefix ignores the prefix of ListDocuments.
type noPrefix struct{ personal1.Adapter }

func (a noPrefix) ListDocuments(ctx context.Context, c adapter.Call, req *personalv1.ListDocumentsRequest) (*personalv1.DocumentPage, error) {
	r := *req
	r.Prefix = ""
	return a.Adapter.ListDocuments(ctx, c, &r)
}

// badManifest declares a capability the API does not have.
type badManifest struct{ personal1.Adapter }

func (a badManifest) Manifest() adapter.Manifest {
	m := a.Adapter.Manifest()
	m.Capabilities = append(m.Capabilities, "CAPABILITY_TELEPATHY")
	return m
}

var broken = map[string]struct {
	adapter adapter.Adapter
	want    string // in the failing run's output
}{
	"silentConditional": {silentConditional{}, "PutDocument with if_revision: no error"},
	"untypedNotFound":   {untypedNotFound{}, "GetDocument of a missing key: code 13"},
	"noPrefix":          {noPrefix{}, "ListDocuments(prefix list/) keys"},
	"badManifest":       {badManifest{}, "unknown capability"},
}

const brokenEnv = "ADAPTERTEST_BROKEN"

// TestBrokenAdapter is run by TestKitCatchesBrokenAdapters in a child
// process: a failing conformance run would fail this test binary.
func TestBrokenAdapter(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestKitCatchesBrokenAdapters")
	}
	adaptertest.Run(t, broken[name].adapter, adaptertest.Config{})
}

func TestKitCatchesBrokenAdapters(t *testing.T) {
	for name, b := range broken {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenAdapter$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed %s:\n%s", name, out)
			}
			if !strings.Contains(string(out), b.want) {
				t.Errorf("the kit failed %s without saying %q:\n%s", name, b.want, out)
			}
		})
	}
}

// TestKitPassesBuiltInAdapter keeps the kit honest in the other direction.
func TestKitPassesBuiltInAdapter(t *testing.T) {
	adaptertest.Run(t, personal2.New(), adaptertest.Config{})
}
