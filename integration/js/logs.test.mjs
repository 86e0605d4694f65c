// fetch_canister_logs through an UNMODIFIED @dfinity/agent 3.4.3: a query to
// aaaaa-aa with the canister as the effective canister id. The test/logger
// canister prints a line and traps; its controller reads both, a stranger
// only once log_visibility is public.
//
// Run by the Go integration test (TestAgentJS) with CANISTRY_REPLICA_URL and
// CANISTRY_LOGGER_WASM=canisters/test/logger/canister.wasm.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { managementEffectiveCanisterId, managementIdlFactory } from './management.mjs';

const CALL_TIMEOUT_MS = 60_000;

for (const name of ['CANISTRY_REPLICA_URL', 'CANISTRY_LOGGER_WASM']) {
  if (!process.env[name]) {
    throw new Error(`logs.test.mjs needs ${name} (see the header comment)`);
  }
}
const host = process.env.CANISTRY_REPLICA_URL;
const loggerWasm = new Uint8Array(readFileSync(process.env.CANISTRY_LOGGER_WASM));

// The log methods of ic.did (interface spec 0.29), beside management.mjs's.
const logsIdlFactory = ({ IDL }) => {
  const logVisibility = IDL.Variant({
    controllers: IDL.Null,
    public: IDL.Null,
    allowed_viewers: IDL.Vec(IDL.Principal),
  });
  return IDL.Service({
    fetch_canister_logs: IDL.Func(
      [IDL.Record({ canister_id: IDL.Principal })],
      [
        IDL.Record({
          canister_log_records: IDL.Vec(
            IDL.Record({ idx: IDL.Nat64, timestamp_nanos: IDL.Nat64, content: IDL.Vec(IDL.Nat8) }),
          ),
        }),
      ],
      ['query'],
    ),
    update_settings: IDL.Func(
      [
        IDL.Record({
          canister_id: IDL.Principal,
          settings: IDL.Record({ log_visibility: IDL.Opt(logVisibility) }),
          sender_canister_version: IDL.Opt(IDL.Nat64),
        }),
      ],
      [],
      [],
    ),
  });
};

const loggerIdlFactory = ({ IDL }) =>
  IDL.Service({
    print: IDL.Func([IDL.Text], [IDL.Nat], []),
    fail: IDL.Func([IDL.Text], [], []),
  });

const logsActor = (agent) =>
  Actor.createActor(logsIdlFactory, {
    agent,
    canisterId: Principal.managementCanister(),
    callTransform: managementEffectiveCanisterId,
    queryTransform: managementEffectiveCanisterId,
  });

const lines = (result) => result.canister_log_records.map((r) => new TextDecoder().decode(new Uint8Array(r.content)));

describe('fetch_canister_logs through @dfinity/agent 3.4.3', { timeout: 10 * CALL_TIMEOUT_MS }, () => {
  let owner;
  let stranger;
  let canisterId;

  it('installs the logger, which prints and traps', { timeout: CALL_TIMEOUT_MS }, async () => {
    owner = await HttpAgent.create({ host, shouldFetchRootKey: true, identity: Ed25519KeyIdentity.generate() });
    stranger = await HttpAgent.create({ host, shouldFetchRootKey: true, identity: Ed25519KeyIdentity.generate() });
    const management = Actor.createActor(managementIdlFactory, {
      agent: owner,
      canisterId: Principal.managementCanister(),
      callTransform: managementEffectiveCanisterId,
    });
    const created = await management.provisional_create_canister_with_cycles({
      amount: [], settings: [], specified_id: [], sender_canister_version: [],
    });
    canisterId = created.canister_id;
    await management.install_code({
      mode: { install: null },
      canister_id: canisterId,
      wasm_module: loggerWasm,
      arg: new Uint8Array(IDL.encode([], [])),
      sender_canister_version: [],
    });
    const logger = Actor.createActor(loggerIdlFactory, { agent: owner, canisterId });
    assert.equal(await logger.print('hello from agent-js'), 1n);
    await assert.rejects(logger.fail('agent-js trap'), /agent-js trap/);
  });

  it('shows the controller the prints and the trap, with indices and timestamps', { timeout: CALL_TIMEOUT_MS }, async () => {
    assert.ok(canisterId, 'no canister: the install step failed');
    const result = await logsActor(owner).fetch_canister_logs({ canister_id: canisterId });
    assert.deepEqual(lines(result), ['hello from agent-js', 'about to trap', '[TRAP]: agent-js trap']);
    const records = result.canister_log_records;
    records.forEach((r, i) => {
      assert.equal(r.idx, records[0].idx + BigInt(i));
      assert.ok(r.timestamp_nanos > 0n);
    });
  });

  it('refuses a stranger until log_visibility is public', { timeout: CALL_TIMEOUT_MS }, async () => {
    assert.ok(canisterId, 'no canister: the install step failed');
    await assert.rejects(
      logsActor(stranger).fetch_canister_logs({ canister_id: canisterId }),
      /is not allowed to query ic00 method fetch_canister_logs/,
    );
    await logsActor(owner).update_settings({
      canister_id: canisterId,
      settings: { log_visibility: [{ public: null }] },
      sender_canister_version: [],
    });
    const result = await logsActor(stranger).fetch_canister_logs({ canister_id: canisterId });
    assert.equal(lines(result).length, 3);
  });
});
