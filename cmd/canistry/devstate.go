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
//	identity.pem   the dev identity: owns the dev canisters, signs the gateway's calls
//	replica/       the embedded replica's state
//	dev.json       where the replica and gateway listen, and the canisters dev made
type devDir string

func (d devDir) identityPath() string { return filepath.Join(string(d), "identity.pem") }
func (d devDir) replicaDir() string   { return filepath.Join(string(d), "replica") }
func (d devDir) infoPath() string     { return filepath.Join(string(d), "dev.json") }

// devInfo is dev.json.
type devInfo struct {
	// Replica and Gateway are the URLs of the running dev environment.
	Replica string `json:"replica"`
	Gateway string `json:"gateway"`
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
