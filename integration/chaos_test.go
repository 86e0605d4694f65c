package integration

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
	"github.com/canistry/canistry/internal/testwait"
	sdkclient "github.com/canistry/canistry/sdk/client"
)

// chaosProcess is a canistry child process that the chaos test kills with
// SIGKILL and starts again with the same arguments.
type chaosProcess struct {
	t      *testing.T
	args   []string
	ready  string // the stdout line prefix that says it serves
	cmd    *exec.Cmd
	exited chan struct{}
}

func (p *chaosProcess) start() {
	p.t.Helper()
	p.cmd = exec.Command(canistryBin, p.args...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	stderr := &syncBuffer{}
	p.cmd.Stderr = stderr
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.exited = make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	served := make(chan struct{})
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if len(s.Text()) >= len(p.ready) && s.Text()[:len(p.ready)] == p.ready {
				close(served)
				break
			}
		}
		for s.Scan() {
		}
	}()
	select {
	case <-served:
	case <-p.exited:
		p.t.Fatalf("canistry %v exited at start:\n%s", p.args[0], stderr)
	case <-time.After(60 * time.Second):
		p.t.Fatalf("canistry %v did not serve within 60 s:\n%s", p.args[0], stderr)
	}
}

func (p *chaosProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// chaosLoad writes and reads documents until stopped, keeping every write
// the gateway acknowledged and counting answers that are wrong: a code a
// client could not safely retry on, or a read that disagrees with an
// acknowledged write.
type chaosLoad struct {
	c        personalv1connect.PersonalServiceClient
	canister string

	mu    sync.Mutex
	acked map[string]string // key → content of its last acknowledged write

	firstOK atomic.Int64 // unix ns of the first acknowledged write since reset
	writes  atomic.Int64
	wrong   chan string
}

// retrySafe are the codes a client retries on: the request did not happen,
// or (an update) may have, and a read afterwards tells.
var retrySafe = map[connect.Code]bool{
	connect.CodeUnavailable: true, connect.CodeDeadlineExceeded: true, connect.CodeCanceled: true,
	connect.CodeUnknown: true, connect.CodeAborted: true, connect.CodeResourceExhausted: true,
}

func (l *chaosLoad) answered(err error, what string) bool {
	if err == nil {
		return true
	}
	if !retrySafe[connect.CodeOf(err)] {
		select {
		case l.wrong <- fmt.Sprintf("%s: %v", what, err):
		default:
		}
	}
	return false
}

func (l *chaosLoad) write(ctx context.Context, worker, n int) {
	key := fmt.Sprintf("chaos/%d/%06d", worker, n)
	content := fmt.Sprintf("%d-%d-%d", worker, n, rand.Int64())
	req := connect.NewRequest(&personalv1.PutDocumentRequest{Key: key, Content: []byte(content)})
	req.Header().Set("Canistry-Canister", l.canister)
	_, err := l.c.PutDocument(ctx, req)
	if l.answered(err, "put "+key) {
		l.mu.Lock()
		l.acked[key] = content
		l.mu.Unlock()
		l.writes.Add(1)
		l.firstOK.CompareAndSwap(0, time.Now().UnixNano())
	}
}

func (l *chaosLoad) read(ctx context.Context) {
	l.mu.Lock()
	var key, want string
	for key, want = range l.acked { // any acknowledged key
		break
	}
	l.mu.Unlock()
	if key == "" {
		return
	}
	req := connect.NewRequest(&personalv1.GetDocumentRequest{Key: key})
	req.Header().Set("Canistry-Canister", l.canister)
	resp, err := l.c.GetDocument(ctx, req)
	if l.answered(err, "get "+key) && string(resp.Msg.GetDocument().GetContent()) != want {
		// A newer write of the same key cannot exist: every key is written once.
		l.wrong <- fmt.Sprintf("get %s = %q, acknowledged %q", key, resp.Msg.GetDocument().GetContent(), want)
	}
}

// TestChaos kills, under a mixed load of writes and reads through the
// gateway, in turn an adapter, the gateway and the replica with SIGKILL,
// restarting each (the host restarts its adapter by itself); then every
// acknowledged write must be there, no answer may have been wrong, and the
// system serves again within a bound after each kill.
func TestChaos(t *testing.T) {
	dir := t.TempDir()
	replicaPort, gatewayPort := freeLoopbackPort(t), freeLoopbackPort(t)
	replicaURL := "http://127.0.0.1:" + strconv.Itoa(replicaPort)
	gatewayURL := "http://127.0.0.1:" + strconv.Itoa(gatewayPort)
	rep := &chaosProcess{t: t, ready: "http://", args: []string{"replica", "--listen", "127.0.0.1:" + strconv.Itoa(replicaPort),
		"--state-dir", filepath.Join(dir, "replica")}}
	rep.start()
	t.Cleanup(rep.kill)

	user, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	u := &replicaProcess{URL: mustURL(t, replicaURL)}
	canister, err := personal.CreateRelease(t.Context(), u.agent(t, user), "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	gwKey := filepath.Join(dir, "gateway.pem")
	if out, err := exec.Command(canistryBin, "identity", "new", "--out", gwKey).CombinedOutput(); err != nil {
		t.Fatalf("identity new: %v\n%s", err, out)
	}
	gw := &chaosProcess{t: t, ready: "http://", args: []string{"gateway", "--replica", replicaURL, "--identity", gwKey,
		"--listen", "127.0.0.1:" + strconv.Itoa(gatewayPort), "--user-rate", "0", "--builtin-adapters", "personal2"}}
	gw.start()
	t.Cleanup(gw.kill)

	key, err := sdkclient.GatewayKey(t.Context(), http.DefaultClient, gatewayURL)
	if err != nil {
		t.Fatal(err)
	}
	session := sdkclient.NewSession(user, key, sdkclient.Options{Targets: []principal.Principal{canister}})
	load := &chaosLoad{
		c: personalv1connect.NewPersonalServiceClient(http.DefaultClient, gatewayURL,
			connect.WithInterceptors(session.Interceptor())),
		canister: canister.String(), acked: map[string]string{}, wrong: make(chan string, 16),
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				opCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
				load.write(opCtx, w, n)
				cancel()
			}
		})
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			opCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
			load.read(opCtx)
			cancel()
		}
	})
	defer func() { stop(); wg.Wait() }()

	// recovered waits for 20 more acknowledged writes after a kill at
	// killed and says how long the system took to serve again: until the
	// first write acknowledged after the kill (one already on its way when
	// the process died can count; it is at most one round trip).
	recovered := func(what string, killed time.Time) time.Duration {
		t.Helper()
		from := load.writes.Load()
		testwait.For(t, 60*time.Second, "writes acknowledged again after killing the "+what, func() bool {
			return load.writes.Load() >= from+20
		})
		back := time.Unix(0, load.firstOK.Load()).Sub(killed)
		t.Logf("killed the %s: serving again after %v", what, back.Round(time.Millisecond))
		return back
	}
	testwait.For(t, 60*time.Second, "the first 50 writes", func() bool { return load.writes.Load() >= 50 })

	adapter := adapterPIDOf(gw.cmd.Process.Pid, "personal2")
	if adapter == 0 {
		t.Fatal("no personal2 adapter process under the gateway")
	}
	killed := time.Now()
	if err := syscall.Kill(adapter, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	load.firstOK.Store(0)
	adapterBack := recovered("adapter", killed)

	killed = time.Now()
	gw.kill()
	load.firstOK.Store(0)
	gw.start()
	gatewayBack := recovered("gateway", killed)

	killed = time.Now()
	rep.kill()
	load.firstOK.Store(0)
	rep.start()
	replicaBack := recovered("replica", killed)

	stop()
	wg.Wait()
	select {
	case w := <-load.wrong:
		t.Fatalf("a wrong answer under chaos: %s", w)
	default:
	}
	lost := 0
	for key, want := range load.acked {
		req := connect.NewRequest(&personalv1.GetDocumentRequest{Key: key})
		req.Header().Set("Canistry-Canister", load.canister)
		resp, err := load.c.GetDocument(t.Context(), req)
		if err != nil || string(resp.Msg.GetDocument().GetContent()) != want {
			lost++
			t.Errorf("acknowledged %s = %q is now %v, %v", key, want, resp, err)
		}
	}
	t.Logf("chaos: %d acknowledged writes, %d lost; serving again after an adapter kill in %v, a gateway kill in %v, a replica kill in %v",
		len(load.acked), lost, adapterBack.Round(time.Millisecond), gatewayBack.Round(time.Millisecond), replicaBack.Round(time.Millisecond))
	for what, d := range map[string]time.Duration{"adapter": adapterBack, "gateway": gatewayBack, "replica": replicaBack} {
		if d > 30*time.Second {
			t.Errorf("after killing the %s the system took %v to serve again; the bound is 30 s", what, d)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
