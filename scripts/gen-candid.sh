#!/usr/bin/env bash
# Regenerates internal/candid, the Go bindings of every
# protocol/canister/<name>/<version>.did, with agent-go's generator pinned in
# tools/go.mod (the same agent-go version go.mod uses at run time).
# Not under internal/gen: buf.gen.yaml cleans that directory on every run.
# .ci/run fails when the committed bindings differ from what this writes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
go -C tools tool gencandid -in "$root/protocol/canister" -out "$root/internal/candid" -gomod "$root/go.mod"
