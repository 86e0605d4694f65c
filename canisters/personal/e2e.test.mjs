// End-to-end test of the personal canister versions on a running replica,
// with the real @dfinity/agent: install, the methods of every version,
// owner-only access, and the upgrade paths (1→2, 2→3, 1→3, same-version)
// keeping data while every downgrade is refused and leaves the newer code
// running, and a send between two 3.0.0 canisters delivered by an
// inter-canister call. canisters/personal/gotest covers the rest of messaging
// and sharing with agent-go (and runs this file from `go test`).
//
//   node canisters/build.mjs canisters/personal
//   CANISTRY_REPLICA_URL=http://127.0.0.1:4943 node --test canisters/personal/e2e.test.mjs

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

const personalDir = dirname(fileURLToPath(import.meta.url));
const TIMEOUT = { timeout: 60_000 };

function wasmOf(version) {
  const path = join(personalDir, version, 'canister.wasm');
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${path} is missing: run node canisters/build.mjs canisters/personal`, { cause: err });
  }
}

const managementIdl = ({ IDL }) => {
  const mode = IDL.Variant({
    install: IDL.Null,
    reinstall: IDL.Null,
    upgrade: IDL.Opt(IDL.Record({
      skip_pre_upgrade: IDL.Opt(IDL.Bool),
      wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })),
    })),
  });
  return IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Null), specified_id: IDL.Opt(IDL.Principal), sender_canister_version: IDL.Opt(IDL.Nat64) })],
      [IDL.Record({ canister_id: IDL.Principal })], []),
    install_code: IDL.Func([IDL.Record({
      mode, canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8), sender_canister_version: IDL.Opt(IDL.Nat64),
    })], [], []),
  });
};

const v1Idl = ({ IDL }) => IDL.Service({
  protocol: IDL.Func([], [IDL.Text], ['query']),
  put: IDL.Func([IDL.Text, IDL.Vec(IDL.Nat8)], [], []),
  get: IDL.Func([IDL.Text], [IDL.Opt(IDL.Vec(IDL.Nat8))], ['query']),
  keys: IDL.Func([], [IDL.Vec(IDL.Text)], ['query']),
  remove: IDL.Func([IDL.Text], [IDL.Bool], []),
});

function documentTypes(IDL) {
  const Document = IDL.Record({ key: IDL.Text, content: IDL.Vec(IDL.Nat8), content_type: IDL.Text, revision: IDL.Nat, updated_at: IDL.Int });
  const WriteError = IDL.Variant({ conflict: IDL.Record({ current: IDL.Opt(IDL.Nat) }), not_found: IDL.Null, invalid: IDL.Text, unauthorized: IDL.Null });
  const methods = {
    protocol: IDL.Func([], [IDL.Text], ['query']),
    put_document: IDL.Func([IDL.Text, IDL.Vec(IDL.Nat8), IDL.Text, IDL.Opt(IDL.Nat)], [IDL.Variant({ ok: Document, err: WriteError })], []),
    get_document: IDL.Func([IDL.Text], [IDL.Opt(Document)], ['query']),
    list_documents: IDL.Func([IDL.Text, IDL.Nat, IDL.Opt(IDL.Text)], [IDL.Record({ documents: IDL.Vec(Document), next_cursor: IDL.Opt(IDL.Text) })], ['query']),
    delete_document: IDL.Func([IDL.Text, IDL.Opt(IDL.Nat)], [IDL.Variant({ ok: IDL.Null, err: WriteError })], []),
  };
  return { Document, WriteError, methods };
}

const v2Idl = ({ IDL }) => IDL.Service(documentTypes(IDL).methods);

const v3Idl = ({ IDL }) => {
  const { WriteError, methods } = documentTypes(IDL);
  const Grant = IDL.Record({ peer: IDL.Principal, prefix: IDL.Text, granted_at: IDL.Int });
  const OutboxMessage = IDL.Record({ id: IDL.Nat, to: IDL.Principal, body: IDL.Text, created_at: IDL.Int, attempts: IDL.Nat, last_attempt_at: IDL.Opt(IDL.Int), last_error: IDL.Opt(IDL.Text) });
  const InboxMessage = IDL.Record({ id: IDL.Nat, from: IDL.Principal, sender_message_id: IDL.Nat, body: IDL.Text, sent_at: IDL.Int, received_at: IDL.Int });
  return IDL.Service({
    ...methods,
    grant: IDL.Func([IDL.Principal, IDL.Text], [IDL.Variant({ ok: IDL.Null, err: WriteError })], []),
    revoke: IDL.Func([IDL.Principal, IDL.Text], [IDL.Variant({ ok: IDL.Null, err: WriteError })], []),
    grants: IDL.Func([], [IDL.Vec(Grant)], ['query']),
    peer_get_document: IDL.Func([IDL.Text], [IDL.Opt(documentTypes(IDL).Document)], ['query']),
    outbox: IDL.Func([], [IDL.Vec(OutboxMessage)], ['query']),
    send: IDL.Func([IDL.Principal, IDL.Text], [IDL.Variant({
      delivered: IDL.Record({ id: IDL.Nat }), queued: IDL.Record({ id: IDL.Nat, reason: IDL.Text }),
      invalid: IDL.Text, outbox_full: IDL.Null, unauthorized: IDL.Null,
    })], []),
    deliver: IDL.Func([IDL.Record({ id: IDL.Nat, body: IDL.Text, sent_at: IDL.Int })], [IDL.Variant({
      ok: IDL.Record({ inbox_id: IDL.Nat }), err: IDL.Variant({ invalid: IDL.Text, inbox_full: IDL.Null, not_a_canister: IDL.Null }),
    })], []),
    inbox: IDL.Func([IDL.Opt(IDL.Nat), IDL.Nat], [IDL.Record({ messages: IDL.Vec(InboxMessage), next_cursor: IDL.Opt(IDL.Nat) })], ['query']),
    ack: IDL.Func([IDL.Vec(IDL.Nat)], [IDL.Nat], []),
  });
};

// A hypothetical later 2.x release: the 2.0.0 code and stable layout, but
// data_version 3. EOP type compatibility accepts 2.0.0 code on its data, so
// only the canister's own guard can refuse that downgrade.
function compileFutureSameLayout() {
  const require = createRequire(import.meta.url);
  const mo = require('motoko');
  mo.loadPackage(require('motoko/packages/latest/core.json'));
  const dir = join(personalDir, '2.0.0');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mo'))) {
    let source = readFileSync(join(dir, file), 'utf8');
    if (file === 'Upgrade.mo') {
      const patched = source
        .replace('DATA_VERSION : Nat = 2;', 'DATA_VERSION : Nat = 3;')
        .replace('"personal/2.0.0"', '"personal/2.1.0"');
      assert.notEqual(patched, source, '2.0.0/Upgrade.mo no longer has the expected constants');
      source = patched;
    }
    mo.write(file, source);
  }
  return mo.wasm('main.mo', 'ic').wasm;
}

const IDLS = { '1.0.0': v1Idl, '2.0.0': v2Idl, '3.0.0': v3Idl };
const bytes = (text) => new TextEncoder().encode(text);

describe('personal canister on the replica', () => {
  const host = process.env.CANISTRY_REPLICA_URL;
  const owner = Ed25519KeyIdentity.generate();
  const stranger = Ed25519KeyIdentity.generate();
  let agent;
  let strangerAgent;
  let management;

  const initArg = (principal) => IDL.encode([IDL.Record({ owner: IDL.Principal })], [{ owner: principal }]);
  const ownerArg = () => initArg(owner.getPrincipal());

  async function create() {
    const { canister_id } = await management.provisional_create_canister_with_cycles({ amount: [], settings: [], specified_id: [], sender_canister_version: [] });
    return canister_id;
  }
  async function install(canisterId, version, mode = { install: null }, arg = ownerArg()) {
    await management.install_code({ mode, canister_id: canisterId, wasm_module: wasmOf(version), arg, sender_canister_version: [] });
  }
  const upgradeMode = { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: [{ keep: null }] }] };
  const upgrade = (canisterId, version) => install(canisterId, version, upgradeMode);
  const actor = (canisterId, version, as = agent) => Actor.createActor(IDLS[version], { agent: as, canisterId });

  before(async () => {
    assert.ok(host, 'set CANISTRY_REPLICA_URL to a running replica, e.g. http://127.0.0.1:4943');
    agent = await HttpAgent.create({ host, shouldFetchRootKey: true, identity: owner });
    strangerAgent = await HttpAgent.create({ host, shouldFetchRootKey: true, identity: stranger });
    management = Actor.createActor(managementIdl, {
      agent,
      canisterId: Principal.managementCanister(),
      callTransform: (_m, args) => ({ effectiveCanisterId: args[0]?.canister_id ?? Principal.managementCanister() }),
    });
  });

  it('refuses the anonymous principal as owner', TIMEOUT, async () => {
    const id = await create();
    await assert.rejects(install(id, '1.0.0', { install: null }, initArg(Principal.anonymous())), /owner must not be the anonymous principal/);
  });

  it('1.0.0 stores, lists and removes values for the owner only', TIMEOUT, async () => {
    const id = await create();
    await install(id, '1.0.0');
    const kv = actor(id, '1.0.0');
    assert.equal(await kv.protocol(), 'personal/1.0.0');
    await kv.put('b', bytes('two'));
    await kv.put('a', Uint8Array.of(0, 255, 7));
    assert.deepEqual(await kv.keys(), ['a', 'b']);
    assert.deepEqual([...(await kv.get('a'))[0]], [0, 255, 7]);
    assert.deepEqual(await kv.get('zzz'), []);
    assert.equal(await kv.remove('b'), true);
    assert.equal(await kv.remove('b'), false);
    await assert.rejects(kv.put('k'.repeat(257), bytes('x')), /key is 257 bytes; the limit is 256/);
    await assert.rejects(kv.put('big', new Uint8Array(1_048_577)), /value is 1048577 bytes; the limit is 1048576/);
    const other = actor(id, '1.0.0', strangerAgent);
    await assert.rejects(other.put('x', bytes('y')), /canister_inspect_message explicitly refused message/);
    await assert.rejects(other.get('a'), /is not the owner/);
    assert.equal(await other.protocol(), 'personal/1.0.0');
  });

  it('upgrades 1.0.0 → 2.0.0 → 3.0.0, keeping data, and refuses every downgrade', TIMEOUT, async () => {
    const id = await create();
    await install(id, '1.0.0');
    const kv = actor(id, '1.0.0');
    await kv.put('notes/1', bytes('first'));
    await kv.put('notes/2', bytes('second'));
    await kv.put('other', bytes('third'));

    const before = BigInt(Date.now()) * 1_000_000n;
    await upgrade(id, '2.0.0');
    const docs = actor(id, '2.0.0');
    assert.equal(await docs.protocol(), 'personal/2.0.0');
    const [migrated] = await docs.get_document('notes/1');
    assert.equal(new TextDecoder().decode(Uint8Array.from(migrated.content)), 'first');
    assert.equal(migrated.content_type, 'application/octet-stream');
    assert.equal(migrated.revision, 1n);
    assert.ok(migrated.updated_at >= before - 60_000_000_000n, `updated_at ${migrated.updated_at} is not the upgrade time`);
    const page = await docs.list_documents('notes/', 1n, []);
    assert.deepEqual(page.documents.map((d) => d.key), ['notes/1']);
    assert.deepEqual(page.next_cursor, ['notes/1']);
    assert.deepEqual(await docs.put_document('notes/1', bytes('edited'), 'text/plain', [0n]), { err: { conflict: { current: [1n] } } });
    const edited = await docs.put_document('notes/1', bytes('edited'), 'text/plain', [1n]);
    assert.equal(edited.ok.revision, 2n);
    assert.deepEqual(await actor(id, '2.0.0', strangerAgent).get_document('notes/1').catch((e) => String(e)).then((r) => /is not the owner/.test(r)), true);

    await assert.rejects(upgrade(id, '1.0.0'), /Memory-incompatible program upgrade/);
    assert.equal(await docs.protocol(), 'personal/2.0.0');
    assert.equal((await docs.get_document('notes/1'))[0].revision, 2n);

    await upgrade(id, '2.0.0'); // same version keeps everything
    assert.equal((await docs.get_document('notes/1'))[0].revision, 2n);

    await upgrade(id, '3.0.0');
    const full = actor(id, '3.0.0');
    assert.equal(await full.protocol(), 'personal/3.0.0');
    assert.equal((await full.get_document('notes/1'))[0].revision, 2n);
    assert.equal((await full.get_document('other'))[0].revision, 1n);
    const peer = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    assert.deepEqual(await full.grant(peer, 'notes/'), { ok: null });
    assert.deepEqual((await full.grants()).map((g) => [g.peer.toText(), g.prefix]), [[peer.toText(), 'notes/']]);
    assert.deepEqual(await full.grant(owner.getPrincipal(), 'x'), { err: { invalid: 'peer must be a canister principal' } });
    await assert.rejects(actor(id, '3.0.0', strangerAgent).peer_get_document('notes/1'), /has no grant covering key/);
    assert.deepEqual(await full.outbox(), []);
    assert.deepEqual((await full.inbox([], 10n)).messages, []);

    await assert.rejects(upgrade(id, '2.0.0'), /Memory-incompatible program upgrade/);
    await assert.rejects(upgrade(id, '1.0.0'), /Memory-incompatible program upgrade/);
    await upgrade(id, '3.0.0');
    assert.equal(await full.protocol(), 'personal/3.0.0');
    assert.equal((await full.grants()).length, 1);
    assert.deepEqual(await full.revoke(peer, 'notes/'), { ok: null });
    assert.deepEqual(await full.revoke(peer, 'notes/'), { err: { not_found: null } });
  });

  it('upgrades 1.0.0 → 3.0.0 directly, migrating every value', TIMEOUT, async () => {
    const id = await create();
    await install(id, '1.0.0');
    const kv = actor(id, '1.0.0');
    for (let i = 0; i < 25; i++) await kv.put(`k${String(i).padStart(2, '0')}`, bytes(`v${i}`));
    await upgrade(id, '1.0.0'); // same version keeps everything
    assert.equal((await kv.keys()).length, 25);
    await upgrade(id, '3.0.0');
    const full = actor(id, '3.0.0');
    const first = await full.list_documents('', 10n, []);
    assert.equal(first.documents.length, 10);
    const rest = await full.list_documents('', 100n, first.next_cursor);
    assert.equal(rest.documents.length, 15);
    assert.deepEqual(rest.next_cursor, []);
    assert.ok([...first.documents, ...rest.documents].every((d) => d.revision === 1n && d.content_type === 'application/octet-stream'));
  });

  it('refuses a downgrade that EOP type compatibility would allow, with a readable reason', TIMEOUT, async () => {
    const id = await create();
    await install(id, '2.0.0');
    const docs = actor(id, '2.0.0');
    await docs.put_document('kept', bytes('x'), 'text/plain', []);
    await management.install_code({ mode: upgradeMode, canister_id: id, wasm_module: compileFutureSameLayout(), arg: ownerArg(), sender_canister_version: [] });
    assert.equal(await docs.protocol(), 'personal/2.1.0');
    await assert.rejects(upgrade(id, '2.0.0'), /personal\/2.0.0 refuses to downgrade: the stored data has data_version 3/);
    assert.equal(await docs.protocol(), 'personal/2.1.0');
    assert.equal((await docs.get_document('kept'))[0].revision, 1n);
  });

  it('needs the owner record as upgrade argument too', TIMEOUT, async () => {
    const id = await create();
    await install(id, '3.0.0');
    await assert.rejects(install(id, '3.0.0', upgradeMode, IDL.encode([], [])), /IDL error/);
    assert.equal(await actor(id, '3.0.0').protocol(), 'personal/3.0.0');
  });

  it('3.0.0 messaging: ingress deliver, then send between two canisters', TIMEOUT, async () => {
    const [a, b] = [await create(), await create()];
    await install(a, '3.0.0');
    await install(b, '3.0.0');
    const sender = actor(a, '3.0.0');
    const recipient = actor(b, '3.0.0');
    // deliver is for canisters: strangers are stopped by inspect, the owner by the caller check.
    await assert.rejects(actor(b, '3.0.0', strangerAgent).deliver({ id: 1n, body: 'x', sent_at: 0n }), /canister_inspect_message explicitly refused message/);
    assert.deepEqual(await recipient.deliver({ id: 1n, body: 'x', sent_at: 0n }), { err: { not_a_canister: null } });
    assert.deepEqual(await sender.send(owner.getPrincipal(), 'x'), { invalid: 'recipient must be a canister principal' });

    // The replica delivers inter-canister calls: send is protocol() then deliver() at once.
    assert.deepEqual(await sender.send(b, 'hello'), { delivered: { id: 0n } });
    assert.deepEqual(await sender.outbox(), []);
    const inbox = await recipient.inbox([], 10n);
    assert.deepEqual(inbox.messages.map((m) => [m.from.toText(), m.body, m.sender_message_id]), [[a.toText(), 'hello', 0n]]);
    assert.equal(await recipient.ack(inbox.messages.map((m) => m.id)), 1n);
    assert.deepEqual((await recipient.inbox([], 10n)).messages, []);
  });
});
