// End-to-end check that an UNMODIFIED @dfinity/agent 3.4.3 client accepts the
// Canistry replica: root key fetch, signed update calls with certified
// replies, queries with node-signature verification (the agent default),
// read_state certificates, and certified rejects.
//
// Run by the Go integration test that starts the replica:
//   CANISTRY_REPLICA_URL=http://127.0.0.1:PORT \
//   CANISTRY_COUNTER_WASM=canisters/test/counter/canister.wasm \
//   node --test integration/js/

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Actor, CanisterStatus, HttpAgent, RejectError } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { counterIdlFactory, managementEffectiveCanisterId, managementIdlFactory } from './management.mjs';

const CALL_TIMEOUT_MS = 60_000;
// The canister's reject for Runtime.trap: reject code 5 (CANISTER_ERROR).
const CANISTER_ERROR = 5;

const config = readConfig(process.env);

function readConfig(env) {
  const missing = ['CANISTRY_REPLICA_URL', 'CANISTRY_COUNTER_WASM'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `replica.test.mjs needs ${missing.join(' and ')}: set CANISTRY_REPLICA_URL to the replica's ` +
        'http://host:port and CANISTRY_COUNTER_WASM to canisters/test/counter/canister.wasm',
    );
  }
  const wasmPath = env.CANISTRY_COUNTER_WASM;
  let wasm;
  try {
    wasm = new Uint8Array(readFileSync(wasmPath));
  } catch (err) {
    throw new Error(`CANISTRY_COUNTER_WASM=${wasmPath} cannot be read: ${err.message}`, { cause: err });
  }
  // canister.did is built beside canister.wasm; it is the public candid:service metadata.
  const didPath = join(dirname(wasmPath), 'canister.did');
  const did = existsSync(didPath) ? readFileSync(didPath, 'utf8') : undefined;
  return { host: env.CANISTRY_REPLICA_URL, wasm, did };
}

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');
const emptyCandidArgs = () => new Uint8Array(IDL.encode([], []));

describe('@dfinity/agent 3.4.3 against the Canistry replica', { timeout: 10 * CALL_TIMEOUT_MS }, () => {
  const identity = Ed25519KeyIdentity.generate();
  let agent;
  let management;
  let canisterId;
  let counter;

  // Not a before() hook: a failing hook only cancels the tests, so the
  // runner's summary would show no failure at all.
  it('fetches the root key from /api/v2/status', { timeout: CALL_TIMEOUT_MS }, async () => {
    agent = await HttpAgent.create({ host: config.host, shouldFetchRootKey: true, identity });
    assert.ok(agent.rootKey && agent.rootKey.length > 0, 'the agent fetched no root key from /api/v2/status');
    management = Actor.createActor(managementIdlFactory, {
      agent,
      canisterId: Principal.managementCanister(),
      callTransform: managementEffectiveCanisterId,
    });
  });

  it('creates a canister with provisional_create_canister_with_cycles', { timeout: CALL_TIMEOUT_MS }, async () => {
    const created = await requireManagement(management).provisional_create_canister_with_cycles({
      amount: [],
      settings: [],
      specified_id: [],
      sender_canister_version: [],
    });
    canisterId = created.canister_id;
    assert.ok(canisterId instanceof Principal, `canister_id is ${canisterId}`);
    assert.notEqual(canisterId.toText(), Principal.managementCanister().toText());
  });

  it('installs the counter with install_code', { timeout: CALL_TIMEOUT_MS }, async () => {
    await management.install_code({
      mode: { install: null },
      canister_id: requireCanister(canisterId),
      wasm_module: config.wasm,
      arg: emptyCandidArgs(),
      sender_canister_version: [],
    });
    counter = Actor.createActor(counterIdlFactory, { agent, canisterId });
  });

  it('answers update calls with certified replies', { timeout: CALL_TIMEOUT_MS }, async () => {
    assert.equal(await requireCounter(counter).inc(), 1n);
    assert.equal(await counter.inc(), 2n);
  });

  it('answers queries with verified node signatures', { timeout: CALL_TIMEOUT_MS }, async () => {
    assert.equal(await requireCounter(counter).get(), 2n);
    assert.equal(await counter.greet('agent-js'), 'Hello, agent-js!');
  });

  it('returns blobs byte for byte', { timeout: CALL_TIMEOUT_MS }, async () => {
    const blob = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    assert.deepEqual(new Uint8Array(await requireCounter(counter).echo(blob)), blob);
  });

  it('certifies module_hash, controllers and public candid:service in read_state', { timeout: CALL_TIMEOUT_MS }, async () => {
    const status = await CanisterStatus.request({
      agent,
      canisterId: requireCanister(canisterId),
      paths: ['module_hash', 'controllers', 'candid'],
    });
    // CanisterStatus.request turns most failures into null entries, so every
    // value is checked to be present.
    assert.equal(status.get('module_hash'), sha256Hex(config.wasm));
    const controllers = status.get('controllers');
    assert.ok(Array.isArray(controllers), `controllers is ${controllers}`);
    assert.deepEqual(
      controllers.map((p) => p.toText()),
      [identity.getPrincipal().toText()],
    );
    if (config.did !== undefined) {
      assert.equal(status.get('candid'), config.did);
    } else {
      assert.equal(typeof status.get('candid'), 'string');
    }
  });

  it('reports the installed module in canister_status', { timeout: CALL_TIMEOUT_MS }, async () => {
    const status = await management.canister_status({ canister_id: requireCanister(canisterId) });
    assert.deepEqual(status.status, { running: null });
    assert.equal(status.module_hash.length, 1, 'module_hash is null after install');
    assert.equal(Buffer.from(status.module_hash[0]).toString('hex'), sha256Hex(config.wasm));
    assert.deepEqual(
      status.settings.controllers.map((p) => p.toText()),
      [identity.getPrincipal().toText()],
    );
    assert.ok(status.cycles > 0n, `cycles = ${status.cycles}`);
  });

  it('rejects a trapping call with a readable certified error', { timeout: CALL_TIMEOUT_MS }, async () => {
    await assert.rejects(requireCounter(counter).fail(), (err) => {
      assert.ok(err instanceof RejectError, `expected RejectError, got ${err?.name}: ${err?.message}`);
      assert.equal(err.code.rejectCode, CANISTER_ERROR);
      assert.match(err.code.rejectMessage, /counter failed on purpose/);
      assert.match(err.message, /counter failed on purpose/);
      return true;
    });
  });

  it('refuses an EOP upgrade without wasm_memory_persistence', { timeout: CALL_TIMEOUT_MS }, async () => {
    await assert.rejects(
      management.install_code({
        mode: { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [] }] },
        canister_id: requireCanister(canisterId),
        wasm_module: config.wasm,
        arg: emptyCandidArgs(),
        sender_canister_version: [],
      }),
      (err) => {
        assert.ok(err instanceof RejectError, `expected RejectError, got ${err?.name}: ${err?.message}`);
        assert.match(err.message, /wasm_memory_persistence/);
        return true;
      },
    );
    assert.equal(await counter.get(), 2n, 'a refused upgrade must leave the state alone');
  });

  it('keeps the counter across an EOP upgrade with wasm_memory_persistence = keep', { timeout: CALL_TIMEOUT_MS }, async () => {
    await management.install_code({
      mode: { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [{ keep: null }] }] },
      canister_id: requireCanister(canisterId),
      wasm_module: config.wasm,
      arg: emptyCandidArgs(),
      sender_canister_version: [],
    });
    assert.equal(await requireCounter(counter).get(), 2n);
    assert.equal(await counter.inc(), 3n);
  });
});

// Later steps need the agent and canister from earlier ones; say so instead
// of failing with an unrelated TypeError when an earlier step failed.
function requireManagement(actor) {
  assert.ok(actor, 'no agent: fetching the root key failed');
  return actor;
}

function requireCanister(id) {
  assert.ok(id, 'no canister: the create step failed');
  return id;
}

function requireCounter(actor) {
  assert.ok(actor, 'no counter actor: the install step failed');
  return actor;
}
