//go:build !linux

package exec

import "errors"

// Write watching needs Linux's asynchronous userfaultfd write-protection
// (see writewatch_linux.go); elsewhere instances compare whole heaps.
type watcher struct{}

func writeWatcher() (*watcher, error) { return nil, errors.New("write watching needs Linux 6.7+") }

func (w *watcher) watch(mem []byte) error { return nil }

func (w *watcher) written(mem []byte, protect bool, fn func(off int)) error { return nil }
