package host

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ManifestFile is the checksum manifest in a plugin directory, in the
// format of `sha256sum`: one "<hex sha256>  <file name>" per line. Only
// binaries listed there are started, and only if their checksum matches.
const ManifestFile = "SHA256SUMS"

// Source is an adapter binary the host can start.
type Source struct {
	// Name identifies the source in logs and errors: the built-in adapter's
	// name, or the binary's file name.
	Name string
	// Path is the executable.
	Path string
	// Args are its arguments.
	Args []string
	// Checksum is the SHA-256 the binary must have.
	Checksum []byte
}

func (s Source) command() *exec.Cmd {
	return exec.Command(s.Path, s.Args...)
}

// Builtin is the source of each built-in adapter: the running binary
// re-executed as `<exe> adapter <name>`, checked against the checksum of
// the binary as it is now.
func Builtin(names ...string) ([]Source, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("built-in adapters: find own executable: %w", err)
	}
	sum, err := fileSHA256(exe)
	if err != nil {
		return nil, fmt.Errorf("built-in adapters: %w", err)
	}
	out := make([]Source, 0, len(names))
	for _, n := range names {
		out = append(out, Source{Name: n, Path: exe, Args: []string{"adapter", n}, Checksum: sum})
	}
	return out, nil
}

// FromDir lists the adapters of a plugin directory from its ManifestFile.
// The checksums are only read here; go-plugin verifies each binary against
// its checksum right before starting it, so a binary swapped afterwards is
// refused too.
func FromDir(dir string) ([]Source, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plugin dir %s: %w", dir, err)
	}
	var out []Source
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		src, err := parseManifestLine(dir, text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, src)
	}
	return out, sc.Err()
}

func parseManifestLine(dir, line string) (Source, error) {
	fields := strings.Fields(line)
	if len(fields) != 2 {
		return Source{}, fmt.Errorf("want \"<sha256>  <file>\", got %q", line)
	}
	sum, err := hex.DecodeString(fields[0])
	if err != nil || len(sum) != sha256.Size {
		return Source{}, fmt.Errorf("bad sha256 %q", fields[0])
	}
	name := strings.TrimPrefix(fields[1], "*") // sha256sum's binary-mode marker
	if name != filepath.Base(name) {
		return Source{}, fmt.Errorf("%q: plugins must sit in the plugin dir itself", name)
	}
	return Source{Name: name, Path: filepath.Join(dir, name), Checksum: sum}, nil
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash %s: %w", path, err)
	}
	return h.Sum(nil), nil
}
