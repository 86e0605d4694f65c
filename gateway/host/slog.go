package host

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// newHCLogger is an hclog logger for go-plugin whose lines end up in slog.
// go-plugin re-emits each adapter's own (hclog JSON) log lines through it,
// so adapter logs and host logs share one structured stream.
func newHCLogger(log *slog.Logger, name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       name,
		Level:      hclog.Debug,
		Output:     &slogWriter{log: log},
		JSONFormat: true,
	})
}

// slogWriter turns hclog's JSON lines into slog records.
type slogWriter struct {
	log *slog.Logger
	mu  sync.Mutex
	buf bytes.Buffer
}

var _ io.Writer = (*slogWriter)(nil)

func (w *slogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil {
			w.buf.Write(line) // incomplete: keep for the next Write
			return len(p), nil
		}
		w.emit(line)
	}
}

func (w *slogWriter) emit(line []byte) {
	var fields map[string]any
	if err := json.Unmarshal(line, &fields); err != nil {
		w.log.Info(strings.TrimSpace(string(line)))
		return
	}
	msg, _ := fields["@message"].(string)
	level := slogLevel(fields["@level"])
	attrs := make([]slog.Attr, 0, len(fields))
	for k, v := range fields {
		switch k {
		case "@message", "@level", "@timestamp":
			continue
		case "@module":
			k = "module"
		}
		attrs = append(attrs, slog.Any(k, v))
	}
	w.log.LogAttrs(context.Background(), level, msg, attrs...)
}

func slogLevel(v any) slog.Level {
	switch s, _ := v.(string); s {
	case "trace", "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
