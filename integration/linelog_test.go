package integration

import (
	"strings"
	"sync"
	"time"
)

// lineLog is a child process's stdout as lines, written by os/exec (whose
// Wait returns only once all output is in) and read while it runs: no
// pipe, so no line is lost however soon the process exits.
type lineLog struct {
	mu      sync.Mutex
	partial string
	lines   []string
	added   chan struct{} // a token whenever lines grew
}

func newLineLog() *lineLog { return &lineLog{added: make(chan struct{}, 1)} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial += string(p)
	for {
		line, rest, ok := strings.Cut(l.partial, "\n")
		if !ok {
			break
		}
		l.lines, l.partial = append(l.lines, line), rest
	}
	select {
	case l.added <- struct{}{}:
	default:
	}
	return len(p), nil
}

// line waits for line i (from 0); false when the process exited without
// printing it or timeout fired first.
func (l *lineLog) line(i int, exited <-chan struct{}, timeout <-chan time.Time) (string, bool) {
	for {
		if all := l.all(); i < len(all) {
			return all[i], true
		}
		select {
		case <-l.added:
		case <-exited:
			// Look once more: the last lines and the exit can come together.
			all := l.all()
			if i < len(all) {
				return all[i], true
			}
			return "", false
		case <-timeout:
			return "", false
		}
	}
}

func (l *lineLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *lineLog) String() string { return strings.Join(l.all(), "\n") }
