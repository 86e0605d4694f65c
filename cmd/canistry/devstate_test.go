package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProjectRoot: the nearest folder upwards holding .canistry/ or .git
// is the project root, as git finds its repository.
func TestProjectRoot(t *testing.T) {
	top := t.TempDir()
	deep := filepath.Join(top, "app", "src", "pkg")
	mkdirs(t, deep, filepath.Join(top, "app", stateDirName))
	// A worktree's .git is a file.
	if err := os.WriteFile(filepath.Join(top, ".git"), []byte("gitdir: elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, root, marker string }{
		{deep, filepath.Join(top, "app"), stateDirName},
		{filepath.Join(top, "app"), filepath.Join(top, "app"), stateDirName},
		{top, top, ".git"},
	} {
		if root, marker := projectRoot(tc.from); root != tc.root || marker != tc.marker {
			t.Errorf("projectRoot(%s) = %s, %q; want %s, %q", tc.from, root, marker, tc.root, tc.marker)
		}
	}
	// A .canistry that is a file marks nothing.
	other := t.TempDir()
	mkdirs(t, filepath.Join(other, "x", ".git"))
	if err := os.WriteFile(filepath.Join(other, "x", "y"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mkdirs(t, filepath.Join(other, "x", "z"))
	if err := os.WriteFile(filepath.Join(other, "x", "z", stateDirName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if root, _ := projectRoot(filepath.Join(other, "x", "z")); root != filepath.Join(other, "x") {
		t.Errorf("a .canistry file was taken for the state folder: root %s", root)
	}
}

// TestAdminFindsNoDevEnvironment: from a subdirectory, an admin command
// looks in the project root's .canistry/dev and says where it looked.
func TestAdminFindsNoDevEnvironment(t *testing.T) {
	t.Setenv("CANISTRY_STATE_DIR", "")
	top := t.TempDir()
	sub := filepath.Join(top, "a", "b")
	mkdirs(t, sub, filepath.Join(top, ".git"))
	t.Chdir(sub)
	var stdout, stderr bytes.Buffer
	code := run([]string{"canister", "describe", "aaaaa-aa"}, &stdout, &stderr)
	want := "no dev environment in " + filepath.Join(top, ".canistry", "dev") + " (looked up from " + sub
	if code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 containing %q", code, stderr.String(), want)
	}
}

// TestAdminSaysWhereNoProjectIs: without any marker the message names the
// folder the search started from.
func TestAdminSaysWhereNoProjectIs(t *testing.T) {
	l := devLocation{dir: devDir(filepath.Join(t.TempDir(), stateDirName, "dev")), cwd: "/some/where"}
	_, err := l.readInfo()
	if err == nil || !strings.Contains(err.Error(), "no folder from /some/where up to / holds .canistry/ or .git") {
		t.Errorf("readInfo = %v", err)
	}
}

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
