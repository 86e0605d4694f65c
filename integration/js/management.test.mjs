// Offline checks of the hand-written Candid IDL in management.mjs: argument
// shapes encode and round-trip, and the subset result types decode the full
// newest-shape results the replica returns (Candid skips extra fields).
// Needs no replica.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { counterIdlFactory, managementEffectiveCanisterId, managementIdlFactory } from './management.mjs';

const management = Object.fromEntries(managementIdlFactory({ IDL })._fields);
const canisterId = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');

// canister_status_result exactly as in the interface spec DID (ic-latest.did).
const logVisibility = IDL.Variant({ controllers: IDL.Null, public: IDL.Null, allowed_viewers: IDL.Vec(IDL.Principal) });
const fullCanisterStatusResult = IDL.Record({
  status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }),
  ready_for_migration: IDL.Bool,
  version: IDL.Nat64,
  settings: IDL.Record({
    controllers: IDL.Vec(IDL.Principal),
    compute_allocation: IDL.Nat,
    memory_allocation: IDL.Nat,
    freezing_threshold: IDL.Nat,
    reserved_cycles_limit: IDL.Nat,
    log_visibility: logVisibility,
    wasm_memory_limit: IDL.Nat,
    wasm_memory_threshold: IDL.Nat,
    environment_variables: IDL.Vec(IDL.Record({ name: IDL.Text, value: IDL.Text })),
  }),
  module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)),
  memory_size: IDL.Nat,
  memory_metrics: IDL.Record({
    wasm_memory_size: IDL.Nat,
    stable_memory_size: IDL.Nat,
    global_memory_size: IDL.Nat,
    wasm_binary_size: IDL.Nat,
    custom_sections_size: IDL.Nat,
    canister_history_size: IDL.Nat,
    wasm_chunk_store_size: IDL.Nat,
    snapshots_size: IDL.Nat,
  }),
  cycles: IDL.Nat,
  reserved_cycles: IDL.Nat,
  idle_cycles_burned_per_day: IDL.Nat,
  query_stats: IDL.Record({
    num_calls_total: IDL.Nat,
    num_instructions_total: IDL.Nat,
    request_payload_bytes_total: IDL.Nat,
    response_payload_bytes_total: IDL.Nat,
  }),
});

const roundTrip = (func, args) => IDL.decode(func.argTypes, IDL.encode(func.argTypes, args));

describe('management canister IDL', () => {
  it('round-trips every install_code mode', () => {
    const modes = [
      { install: null },
      { reinstall: null },
      { upgrade: [] },
      { upgrade: [{ skip_pre_upgrade: [true], wasm_memory_persistence: [] }] },
      { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [{ keep: null }] }] },
      { upgrade: [{ skip_pre_upgrade: [false], wasm_memory_persistence: [{ replace: null }] }] },
    ];
    for (const mode of modes) {
      const [decoded] = roundTrip(management.install_code, [
        { mode, canister_id: canisterId, wasm_module: Uint8Array.of(0, 0x61, 0x73, 0x6d), arg: new Uint8Array(), sender_canister_version: [] },
      ]);
      assert.deepEqual(decoded.mode, mode);
      assert.equal(decoded.canister_id.toText(), canisterId.toText());
    }
  });

  it('encodes provisional_create_canister_with_cycles with and without settings', () => {
    const [bare] = roundTrip(management.provisional_create_canister_with_cycles, [
      { amount: [], settings: [], specified_id: [], sender_canister_version: [] },
    ]);
    assert.deepEqual(bare.settings, []);
    const settings = {
      controllers: [[canisterId]],
      compute_allocation: [],
      memory_allocation: [],
      freezing_threshold: [],
      reserved_cycles_limit: [],
      log_visibility: [{ public: null }],
      wasm_memory_limit: [],
      wasm_memory_threshold: [],
      environment_variables: [[{ name: 'A', value: 'b' }]],
    };
    const [full] = roundTrip(management.provisional_create_canister_with_cycles, [
      { amount: [10n ** 12n], settings: [settings], specified_id: [canisterId], sender_canister_version: [1n] },
    ]);
    assert.equal(full.amount[0], 10n ** 12n);
    assert.deepEqual(full.settings[0].log_visibility, [{ public: null }]);
  });

  it('decodes a full newest-shape canister_status result into the subset type', () => {
    const zero = 0n;
    const hash = new Uint8Array(32).fill(7);
    const bytes = IDL.encode([fullCanisterStatusResult], [{
      status: { stopped: null },
      ready_for_migration: false,
      version: 3n,
      settings: {
        controllers: [canisterId],
        compute_allocation: zero,
        memory_allocation: zero,
        freezing_threshold: 2_592_000n,
        reserved_cycles_limit: zero,
        log_visibility: { allowed_viewers: [canisterId] },
        wasm_memory_limit: zero,
        wasm_memory_threshold: zero,
        environment_variables: [{ name: 'k', value: 'v' }],
      },
      module_hash: [hash],
      memory_size: 100n,
      memory_metrics: {
        wasm_memory_size: zero, stable_memory_size: zero, global_memory_size: zero, wasm_binary_size: zero,
        custom_sections_size: zero, canister_history_size: zero, wasm_chunk_store_size: zero, snapshots_size: zero,
      },
      cycles: 10n ** 14n,
      reserved_cycles: zero,
      idle_cycles_burned_per_day: zero,
      query_stats: { num_calls_total: zero, num_instructions_total: zero, request_payload_bytes_total: zero, response_payload_bytes_total: zero },
    }]);
    const [status] = IDL.decode(management.canister_status.retTypes, bytes);
    assert.deepEqual(status.status, { stopped: null });
    assert.deepEqual(status.settings.controllers.map((p) => p.toText()), [canisterId.toText()]);
    assert.deepEqual(new Uint8Array(status.module_hash[0]), hash);
    assert.equal(status.cycles, 10n ** 14n);
  });

  it('routes management calls by the target canister, else aaaaa-aa', () => {
    const route = (method, arg) => managementEffectiveCanisterId(method, [arg]).effectiveCanisterId.toText();
    assert.equal(route('install_code', { canister_id: canisterId }), canisterId.toText());
    assert.equal(route('canister_status', { canister_id: canisterId }), canisterId.toText());
    assert.equal(route('provisional_create_canister_with_cycles', { amount: [] }), 'aaaaa-aa');
  });
});

describe('counter IDL', () => {
  it('matches the methods of the built counter canister.did', () => {
    const did = readFileSync(new URL('../../canisters/test/counter/canister.did', import.meta.url), 'utf8');
    // Lines look like `  greet: (name: text) -> (text) query;`.
    const fromDid = Object.fromEntries(
      [...did.matchAll(/^\s*(\w+)\s*:\s*\(.*\)\s*->\s*\(.*\)\s*(query)?\s*;\s*$/gm)].map((m) => [m[1], m[2] === 'query']),
    );
    const fields = Object.fromEntries(counterIdlFactory({ IDL })._fields);
    assert.deepEqual(Object.keys(fields).sort(), Object.keys(fromDid).sort());
    for (const [name, func] of Object.entries(fields)) {
      assert.equal(func.annotations.includes('query'), fromDid[name], `${name}: query annotation differs from canister.did`);
    }
  });
});
