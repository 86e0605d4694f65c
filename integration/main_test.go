package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// canistryBin is the canistry binary built once for all tests.
var canistryBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, err := dockerRequired(); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 2
	}
	dir, err := os.MkdirTemp("", "canistry-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	canistryBin = filepath.Join(dir, "canistry")
	build := exec.Command("go", "build", "-o", canistryBin, "./cmd/canistry")
	build.Dir = repoRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build canistry:", err)
		return 1
	}
	code := m.Run()
	envSkips.report(os.Stdout)
	return code
}

// repoRoot is the repository's top directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}
