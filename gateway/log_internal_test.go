package gateway

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// lineSink hands each log line written to it to a channel, so a test
// waits for the line rather than for a guessed time.
type lineSink chan string

func (s lineSink) Write(p []byte) (int, error) {
	s <- string(bytes.Clone(p))
	return len(p), nil
}

// await is the first line logged for procedure.
func (s lineSink) await(t *testing.T, procedure string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line := <-s:
			if strings.Contains(line, "procedure="+procedure+" ") {
				return line
			}
		case <-timeout:
			t.Fatalf("no log line for %s", procedure)
		}
	}
}

type msg = personalv1.GetDocumentRequest

// secret is message content no log line may carry.
const secret = "do-not-log-this-key"

// TestStreamLogLine: a client stream and a server stream each log one
// line at their end — procedure, code, duration and the messages received
// and sent, at debug level when they succeed and info when they fail —
// and never a message's content.
func TestStreamLogLine(t *testing.T) {
	sink := make(lineSink, 64)
	log := slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opt := connect.WithInterceptors(logInterceptor{log})
	const upload, watch = "/test.v1.Test/Upload", "/test.v1.Test/Watch"
	mux := http.NewServeMux()
	mux.Handle(upload, connect.NewClientStreamHandler(upload, func(_ context.Context, s *connect.ClientStream[msg]) (*connect.Response[msg], error) {
		for s.Receive() {
		}
		return connect.NewResponse(&msg{Key: secret}), s.Err()
	}, opt))
	mux.Handle(watch, connect.NewServerStreamHandler(watch, func(_ context.Context, _ *connect.Request[msg], s *connect.ServerStream[msg]) error {
		for range 3 {
			if err := s.Send(&msg{Key: secret}); err != nil {
				return err
			}
		}
		return connect.NewError(connect.CodeFailedPrecondition, errors.New("the upgrade stopped"))
	}, opt))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := t.Context()

	up := connect.NewClient[msg, msg](srv.Client(), srv.URL+upload).CallClientStream(ctx)
	for range 2 {
		if err := up.Send(&msg{Key: secret}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := up.CloseAndReceive(); err != nil {
		t.Fatal(err)
	}
	line := sink.await(t, upload)
	for _, want := range []string{"level=DEBUG", "msg=stream ", "code=ok", "received=2", "sent=1", "duration="} {
		if !strings.Contains(line, want) {
			t.Errorf("upload's line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, secret) {
		t.Errorf("upload's line carries a message's content: %s", line)
	}

	w, err := connect.NewClient[msg, msg](srv.Client(), srv.URL+watch).CallServerStream(ctx, connect.NewRequest(&msg{Key: secret}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for w.Receive() {
		n++
	}
	if n != 3 || connect.CodeOf(w.Err()) != connect.CodeFailedPrecondition {
		t.Fatalf("watch: %d messages, %v; want 3 and failed_precondition", n, w.Err())
	}
	line = sink.await(t, watch)
	for _, want := range []string{"level=INFO", "msg=\"stream failed\"", "code=failed_precondition", "received=1", "sent=3", "the upgrade stopped"} {
		if !strings.Contains(line, want) {
			t.Errorf("watch's line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, secret) {
		t.Errorf("watch's line carries a message's content: %s", line)
	}
}
