package gateway_test

import "log/slog"

// The gateway and the adapter host under test log through slog.Default
// (their Config.Logger is nil here). go test prints what a test binary
// writes, and log lines between a benchmark's name and its numbers break
// benchstat, so this binary's default logger discards; a test that reads
// logs passes its own Logger.
func init() { slog.SetDefault(slog.New(slog.DiscardHandler)) }
