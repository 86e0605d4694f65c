package host

import (
	"fmt"
	"slices"
	"time"
)

// How the supervisor notices and restarts a dead adapter. go-plugin has no
// exit notification, so the supervisor polls; a failing request reports a
// death at once through lost().
const (
	watchInterval  = 200 * time.Millisecond
	restartBackoff = 100 * time.Millisecond
	maxBackoff     = 10 * time.Second
)

// supervise keeps the adapter running until the host closes.
func (a *Adapter) supervise() {
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		select {
		case <-a.host.done:
			a.stop()
			return
		case <-a.lostCh:
		case <-tick.C:
		}
		if a.gone() {
			a.restart()
		}
	}
}

// gone reports a process that exited or was taken out of service.
func (a *Adapter) gone() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.proc == nil || a.proc.exited()
}

func (a *Adapter) stop() {
	a.mu.Lock()
	p := a.proc
	a.proc = nil
	a.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// restart replaces the process, with exponential backoff between failed
// starts so that an adapter that dies at once does not spin the machine.
func (a *Adapter) restart() {
	a.mu.Lock()
	old := a.proc
	if old != nil {
		a.proc = nil
		a.ready = make(chan struct{})
	}
	a.mu.Unlock()
	if old != nil {
		old.kill()
	}
	a.host.setHealth(a.Name(), false)
	a.log.Error("adapter process exited; restarting", "adapter", a.Name())
	backoff := restartBackoff
	for attempt := 1; ; attempt++ {
		p, err := a.startSame()
		if err == nil {
			a.restarts.Add(1)
			a.install(p)
			a.host.setHealth(a.Name(), true)
			a.log.Warn("adapter restarted", "adapter", a.Name(), "attempt", attempt)
			return
		}
		a.log.Error("adapter restart failed", "adapter", a.Name(), "attempt", attempt, "retry_in", backoff, "err", err)
		select {
		case <-a.host.done:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// startSame starts the adapter again and insists that it still declares
// what it declared when the host validated it at wiring time.
func (a *Adapter) startSame() (*process, error) {
	p, err := startProcess(a.host.ctx, a.src, a.host.log, a.host.ics)
	if err != nil {
		return nil, err
	}
	m := p.manifest
	if m.Name != a.manifest.Name || m.Protocol != a.manifest.Protocol ||
		m.ConstraintText != a.manifest.ConstraintText || !slices.Equal(m.Capabilities, a.manifest.Capabilities) {
		p.kill()
		return nil, fmt.Errorf("%w: adapter %s changed its manifest across a restart", ErrBadManifest, a.Name())
	}
	return p, nil
}
