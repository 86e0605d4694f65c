package exec

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/canistry/canistry/replica/cycles"
)

// EnvVar is one canister environment variable.
type EnvVar struct {
	Name, Value string
}

// ThresholdKey is a chain key the replica offers, for the cost_* functions.
type ThresholdKey struct {
	Scheme ThresholdScheme
	// Curve is the curve or algorithm number of the System API:
	// ECDSA 0 = secp256k1; Schnorr 0 = bip340secp256k1, 1 = ed25519;
	// VetKD 0 = bls12_381.
	Curve uint32
	Name  string
	Fee   cycles.Amount
}

// ThresholdScheme is the signing scheme of a ThresholdKey.
type ThresholdScheme int

// The threshold schemes of the management canister.
const (
	SchemeECDSA ThresholdScheme = iota
	SchemeSchnorr
	SchemeVetKD
)

// validCurves is how many curve/algorithm numbers each scheme defines.
var validCurves = map[ThresholdScheme]uint32{SchemeECDSA: 1, SchemeSchnorr: 2, SchemeVetKD: 1}

// maxEnvVarNameLen is the IC's limit on environment variable names.
const maxEnvVarNameLen = 128

// Environment variables, the root key and threshold-key costs.
var envFuncs = []hostFunc{
	{name: "env_var_count", results: "I", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.envVars())), nil
	}},
	{name: "env_var_name_size", params: "I", results: "I", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		v, err := x.envVarAt("env_var_name_size", a[0])
		if err != nil {
			return 0, err
		}
		return uint64(len(v.Name)), nil
	}},
	{name: "env_var_name_copy", params: "IIII", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		v, err := x.envVarAt("env_var_name_copy", a[0])
		if err != nil {
			return 0, err
		}
		return 0, x.copyOut("env_var_name_copy", a[1], a[2], a[3], []byte(v.Name))
	}},
	{name: "env_var_name_exists", params: "II", results: "i", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		_, found, err := x.envVarNamed("env_var_name_exists", a[0], a[1])
		return boolBit(found), err
	}},
	{name: "env_var_value_size", params: "II", results: "I", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		v, err := x.existingEnvVar("env_var_value_size", a[0], a[1])
		if err != nil {
			return 0, err
		}
		return uint64(len(v.Value)), nil
	}},
	{name: "env_var_value_copy", params: "IIIII", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		v, err := x.existingEnvVar("env_var_value_copy", a[0], a[1])
		if err != nil {
			return 0, err
		}
		return 0, x.copyOut("env_var_value_copy", a[2], a[3], a[4], []byte(v.Value))
	}},
	{name: "root_key_size", results: "I", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		key, err := x.rootKey("root_key_size")
		return uint64(len(key)), err
	}},
	{name: "root_key_copy", params: "III", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		key, err := x.rootKey("root_key_copy")
		if err != nil {
			return 0, err
		}
		return 0, x.copyOut("root_key_copy", a[0], a[1], a[2], key)
	}},
	{name: "cost_sign_with_ecdsa", params: "IIiI", results: "i", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return x.thresholdCost("cost_sign_with_ecdsa", SchemeECDSA, a)
	}},
	{name: "cost_sign_with_schnorr", params: "IIiI", results: "i", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return x.thresholdCost("cost_sign_with_schnorr", SchemeSchnorr, a)
	}},
	{name: "cost_vetkd_derive_key", params: "IIiI", results: "i", allowed: ctxAll | ctxS, fn: func(x *execution, a []uint64) (uint64, error) {
		return x.thresholdCost("cost_vetkd_derive_key", SchemeVetKD, a)
	}},
}

// envVars are the invocation's variables sorted by name (the IC keeps them
// in a map ordered by name, which defines the index order).
func (x *execution) envVars() []EnvVar {
	if x.sortedEnv == nil {
		x.sortedEnv = slices.Clone(x.inv.EnvVars)
		slices.SortFunc(x.sortedEnv, func(a, b EnvVar) int { return strings.Compare(a.Name, b.Name) })
	}
	return x.sortedEnv
}

func (x *execution) envVarAt(fn string, index uint64) (EnvVar, error) {
	vars := x.envVars()
	if index >= uint64(len(vars)) {
		return EnvVar{}, contractViolation("ic0.%s: index %d is out of bounds (%d environment variables)", fn, index, len(vars))
	}
	return vars[index], nil
}

func (x *execution) envVarNamed(fn string, src, size uint64) (EnvVar, bool, error) {
	if size > maxEnvVarNameLen {
		return EnvVar{}, false, contractViolation("ic0.%s: the name is %d bytes, at most %d are allowed", fn, size, maxEnvVarNameLen)
	}
	name, err := x.read(fn, src, size)
	if err != nil {
		return EnvVar{}, false, err
	}
	if !utf8.Valid(name) {
		return EnvVar{}, false, contractViolation("ic0.%s: the name is not valid UTF-8", fn)
	}
	for _, v := range x.envVars() {
		if v.Name == string(name) {
			return v, true, nil
		}
	}
	return EnvVar{Name: string(name)}, false, nil
}

func (x *execution) existingEnvVar(fn string, src, size uint64) (EnvVar, error) {
	v, found, err := x.envVarNamed(fn, src, size)
	if err == nil && !found {
		err = contractViolation("ic0.%s: there is no environment variable named %q", fn, v.Name)
	}
	return v, err
}

// rootKey is the DER root key; like the IC it is refused in
// non-replicated execution.
func (x *execution) rootKey(fn string) ([]byte, error) {
	if !x.ctx.replicated() {
		return nil, contractViolation("\"ic0_%s\" cannot be executed in %s mode", fn, x.ctx.modeName())
	}
	key := x.inst.engine.cfg.RootKey
	if key == nil {
		return nil, contractViolation("ic0.%s: this replica has no root key configured", fn)
	}
	return key, nil
}

// thresholdCost implements cost_sign_with_ecdsa and friends: 0 and the fee
// at dst, 1 for an invalid curve/algorithm, 2 for an unknown key name.
func (x *execution) thresholdCost(fn string, scheme ThresholdScheme, a []uint64) (uint64, error) {
	name, err := x.read(fn, a[0], a[1])
	if err != nil {
		return 0, err
	}
	if !inBounds(a[3], 16, uint64(len(x.memory()))) {
		return 0, heapOutOfBounds(fn)
	}
	curve := uint32(a[2])
	if curve >= validCurves[scheme] {
		return 1, nil
	}
	for _, k := range x.inst.engine.cfg.ThresholdKeys {
		if k.Scheme == scheme && k.Curve == curve && k.Name == string(name) {
			return 0, x.write(fn, a[3], k.Fee.LittleEndian())
		}
	}
	return 2, nil
}
