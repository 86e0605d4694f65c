// Package browsertest runs a test's page in headless Chromium (Debian's
// chromium package, driven by chromedp): without the browser the test
// skips, except in CI (CI=true), whose script installs it and where a
// silent skip would hide a missing install step.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// names are the browser's executable names, Debian's first.
var names = []string{"chromium", "chromium-browser", "google-chrome"}

// path finds the browser, or skips (fails under CI=true).
func path(t *testing.T) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH, and CI=true: .ci/run installs Debian's chromium (apt-get install -y chromium)")
	}
	t.Skip("skipped: no chromium on PATH (apt-get install -y chromium) for this browser test")
	return ""
}

// Require skips the test (fails it under CI=true) when there is no
// browser: a test calls it before it sets up what the page needs.
func Require(t *testing.T) {
	t.Helper()
	path(t)
}

// Tab starts a headless browser for the test and returns its first tab,
// which every action must finish within limit. chromedp.NewContext(tab)
// opens another tab of the same browser (its own sessionStorage).
func Tab(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path(t)), chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoSandbox, // tests run as root, where chromium's sandbox refuses to start
		chromedp.WindowSize(1280, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	ctx, cancelLimit := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelLimit(); cancel(); cancelAlloc() })
	return ctx
}

// Open loads url in the tab.
func Open(t *testing.T, tab context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// Eval evaluates js in the tab and decodes its value as a T.
func Eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Wait waits until the expression js is truthy in the page, at most
// limit (chromedp polls it in the page at each animation frame).
func Wait(tab context.Context, js string, limit time.Duration) error {
	_, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(limit)))
	return err
}

// Screenshot keeps a full-page PNG of the tab as name in
// $CANISTRY_ARTIFACTS (CI's artifacts/), else in the test's temporary
// directory, and logs where.
func Screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("CANISTRY_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("artifacts: %v", err)
		return
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}
