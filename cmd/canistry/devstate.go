package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// devDir is the dev environment's state directory:
//
//	identity.pem   the dev identity: controls and owns the dev canisters
//	gateway.pem    the gateway's key, which users (the dev identity too) delegate to
//	replica/       the embedded replica's state
//	dev.json       where the replica and gateway listen, the registry, and the canisters dev made
type devDir string

func (d devDir) identityPath() string   { return filepath.Join(string(d), "identity.pem") }
func (d devDir) gatewayKeyPath() string { return filepath.Join(string(d), "gateway.pem") }
func (d devDir) replicaDir() string     { return filepath.Join(string(d), "replica") }
func (d devDir) infoPath() string       { return filepath.Join(string(d), "dev.json") }

// devInfo is dev.json.
type devInfo struct {
	// Replica and Gateway are the URLs of the running dev environment.
	Replica string `json:"replica"`
	Gateway string `json:"gateway"`
	// GatewayKey is the hex of the gateway's DER public key, the key
	// delegations must end at.
	GatewayKey string `json:"gatewayKey"`
	// Registry is the registry canister dev installed, which installs the
	// canisters.
	Registry string `json:"registry,omitempty"`
	// Canisters are the canisters dev installed, by the protocol version
	// they were installed with.
	Canisters map[string]string `json:"canisters"`
}

func (d devDir) readInfo() (*devInfo, error) {
	data, err := os.ReadFile(d.infoPath())
	if errors.Is(err, os.ErrNotExist) {
		return &devInfo{Canisters: map[string]string{}}, err
	}
	if err != nil {
		return nil, err
	}
	var info devInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("%s: %w", d.infoPath(), err)
	}
	if info.Canisters == nil {
		info.Canisters = map[string]string{}
	}
	return &info, nil
}

// writeInfo replaces dev.json atomically, so an admin command never reads
// half of it.
func (d devDir) writeInfo(info *devInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp := d.infoPath() + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, d.infoPath())
}

// stateDirName is the folder at a project's root that holds Canistry's
// local state, as .git holds git's.
const stateDirName = ".canistry"

// projectRoot is the nearest folder from dir (absolute) upwards that holds
// .canistry/ (where an earlier run put its state) or .git (the top of a
// checkout), looked for the way git looks for .git; marker names which.
// When no folder up to / holds either, root is dir and marker "".
func projectRoot(dir string) (root, marker string) {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, stateDirName)); err == nil && fi.IsDir() {
			return d, stateDirName
		}
		// .git is a directory in a clone and a file in a worktree.
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, ".git"
		}
		if filepath.Dir(d) == d {
			return dir, ""
		}
	}
}

// devLocation is where a command keeps or looks for the dev environment:
// the --state-dir it was given, else .canistry/dev at the project root of
// the working directory.
type devLocation struct {
	dir    devDir
	given  bool   // by --state-dir or CANISTRY_STATE_DIR
	cwd    string // where the search for the project root started
	marker string // what marks the root: ".canistry", ".git" or "" (none)
}

func locateDev(stateDir string) (devLocation, error) {
	if stateDir != "" {
		return devLocation{dir: devDir(stateDir), given: true}, nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return devLocation{}, fmt.Errorf("find the project root: %w", err)
	}
	root, marker := projectRoot(cwd)
	return devLocation{dir: devDir(filepath.Join(root, stateDirName, "dev")), cwd: cwd, marker: marker}, nil
}

// readInfo reads dev.json of a running (or stopped) dev environment; when
// there is none it says where it looked and what to run.
func (l devLocation) readInfo() (*devInfo, error) {
	info, err := l.dir.readInfo()
	if !errors.Is(err, os.ErrNotExist) {
		return info, err
	}
	switch {
	case l.given:
		return nil, fmt.Errorf("no dev environment in %s: run 'canistry dev --state-dir %s' first", l.dir, l.dir)
	case l.marker == "":
		return nil, fmt.Errorf("no dev environment: no folder from %s up to / holds %s/ or .git; run 'canistry dev' in the project's root first, or give --state-dir", l.cwd, stateDirName)
	}
	root := filepath.Dir(filepath.Dir(string(l.dir)))
	return nil, fmt.Errorf("no dev environment in %s (looked up from %s; the project root %s holds %s): run 'canistry dev' there first, or give --state-dir", l.dir, l.cwd, root, l.marker)
}
