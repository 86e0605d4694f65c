// GET /_/topology as clients written for `dfx start` (PocketIC underneath)
// read it: PocketIC's JSON shape, and a default_effective_canister_id that an
// UNMODIFIED @dfinity/agent 3.4.3 uses as the effective canister id of
// provisional_create_canister_with_cycles.
//
// Run by the Go integration test (TestAgentJS) with CANISTRY_REPLICA_URL.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { managementIdlFactory } from './management.mjs';

const CALL_TIMEOUT_MS = 60_000;

if (!process.env.CANISTRY_REPLICA_URL) {
  throw new Error('topology.test.mjs needs CANISTRY_REPLICA_URL (see the header comment)');
}
const host = process.env.CANISTRY_REPLICA_URL;

const fromBase64 = (s) => Principal.fromUint8Array(new Uint8Array(Buffer.from(s, 'base64')));

describe('/_/topology in PocketIC shape', { timeout: 5 * CALL_TIMEOUT_MS }, () => {
  let topology;

  it('answers GET /_/topology with the subnets and the default effective canister id', { timeout: CALL_TIMEOUT_MS }, async () => {
    const resp = await fetch(`${host}/_/topology`);
    assert.equal(resp.status, 200);
    assert.match(resp.headers.get('content-type'), /^application\/json/);
    topology = await resp.json();
    const subnets = Object.entries(topology.subnet_configs);
    assert.equal(subnets.length, 1);
    const [subnetId, subnet] = subnets[0];
    Principal.fromText(subnetId); // throws unless the key is a textual principal
    assert.equal(subnet.subnet_kind, 'Application');
    assert.equal(subnet.subnet_seed.length, 32);
    assert.equal(subnet.node_ids.length, 1);
    assert.ok(fromBase64(subnet.node_ids[0].node_id).toUint8Array().length > 0);
    assert.equal(subnet.canister_ranges.length, 1);
    fromBase64(subnet.canister_ranges[0].start.canister_id);
    fromBase64(subnet.canister_ranges[0].end.canister_id);
    assert.equal(fromBase64(topology.default_effective_canister_id.canister_id).toUint8Array().length, 10);
  });

  it('routes provisional_create_canister_with_cycles through default_effective_canister_id', { timeout: CALL_TIMEOUT_MS }, async () => {
    assert.ok(topology, 'no topology: the previous step failed');
    const effectiveCanisterId = fromBase64(topology.default_effective_canister_id.canister_id);
    const agent = await HttpAgent.create({ host, shouldFetchRootKey: true, identity: Ed25519KeyIdentity.generate() });
    const management = Actor.createActor(managementIdlFactory, {
      agent,
      canisterId: Principal.managementCanister(),
      callTransform: () => ({ effectiveCanisterId }),
    });
    const created = await management.provisional_create_canister_with_cycles({
      amount: [], settings: [], specified_id: [], sender_canister_version: [],
    });
    assert.ok(created.canister_id instanceof Principal);
    assert.notEqual(created.canister_id.toText(), Principal.managementCanister().toText());
  });
});
