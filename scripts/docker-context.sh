#!/usr/bin/env bash
# Usage: scripts/docker-context.sh DIR
#
# Assembles the build context of the replica image (docker/Dockerfile) in DIR:
#   DIR/canistry    the canistry binary, fully static
#   DIR/state/      empty; becomes the image's /state, owned by the replica user
#   DIR/Dockerfile  a copy of docker/Dockerfile
# Then `docker build DIR`. integration/docker_test.go uses this script, so the
# tested image is built exactly like a hand-built one.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$1"
mkdir -p "$dir/state"
cp "$root/docker/Dockerfile" "$dir/Dockerfile"

# Static build: cgo (wasmtime) linked by the external linker with -static, so
# the binary runs in a FROM scratch image.
#   netgo  Go's own DNS resolver instead of glibc's getaddrinfo, which a
#          static glibc can only use by loading NSS modules at run time.
#   -s -w  no symbol table or DWARF: a smaller image (panics still have
#          stack traces; those come from Go's pclntab).
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! (cd "$root" && CGO_ENABLED=1 go build -trimpath -tags netgo \
  -ldflags '-s -w -linkmode external -extldflags "-static"' \
  -o "$dir/canistry" ./cmd/canistry) 2>"$log"; then
  cat "$log" >&2
  exit 1
fi

# glibc's linker warns about three functions that a static glibc can only
# serve by loading shared libraries at run time. All three are referenced by
# code in libwasmtime.a that the replica never runs: getpwuid_r (the default
# compilation-cache directory; the replica sets no cache), getaddrinfo (Rust
# std's DNS lookup; wasmtime does no networking here) and dlopen (the Intel
# VTune JIT profiler; never enabled). Drop exactly those warnings when they
# come from libwasmtime.a and show anything else the linker says.
awk '
  /libwasmtime\.a\(.*: in function/ { if (held != "") print held; held = $0; next }
  held != "" {
    line = held; held = ""
    if ($0 ~ /warning: Using .(getpwuid_r|getaddrinfo|dlopen). in statically linked applications/) next
    print line
  }
  { print }
  END { if (held != "") print held }
' "$log" | grep -v '^# github.com/canistry/canistry/cmd/canistry$' >&2 || true

# A dynamic executable has a program interpreter (ld-linux); FROM scratch has none.
if readelf -lW "$dir/canistry" | grep -q 'program interpreter'; then
  echo "$dir/canistry is not static: it requests a program interpreter" >&2
  exit 1
fi
