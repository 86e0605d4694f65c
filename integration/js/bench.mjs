// Reads one document of a personal canister straight from the replica with
// an UNMODIFIED @dfinity/agent 3.4.3 (default settings: query signatures
// verified against the subnet's node keys, which the agent caches per
// canister), for integration.BenchmarkGatewayRead's "agent-js" rows.
//
//   CANISTRY_REPLICA_URL=http://127.0.0.1:PORT CANISTRY_CANISTER=<id> \
//   CANISTRY_IDENTITY_PEM=<the owner's Ed25519 PEM file> \
//   BENCH_KEY=bench BENCH_SIZE=256 BENCH_N=1000 BENCH_CONCURRENCY=8 node integration/js/bench.mjs
//
// prints {"p50_ms":…,"p99_ms":…,"reads_per_s":…} after BENCH_N reads over
// BENCH_CONCURRENCY workers (a few warm-up reads first, not counted: the
// root key and the node keys are read once, as the Go paths do).
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

const env = process.env;
for (const name of ['CANISTRY_REPLICA_URL', 'CANISTRY_CANISTER', 'CANISTRY_IDENTITY_PEM', 'BENCH_N']) {
  if (!env[name]) throw new Error(`bench.mjs needs ${name}`);
}
const n = Number(env.BENCH_N);
const concurrency = Number(env.BENCH_CONCURRENCY ?? '1');
const size = Number(env.BENCH_SIZE ?? '0');
const key = env.BENCH_KEY ?? 'bench';

// The PEM is PKCS#8 Ed25519; its JWK "d" is the 32-byte seed.
const jwk = createPrivateKey(readFileSync(env.CANISTRY_IDENTITY_PEM)).export({ format: 'jwk' });
const identity = Ed25519KeyIdentity.generate(new Uint8Array(Buffer.from(jwk.d, 'base64url')));

const Document = IDL.Record({
  key: IDL.Text,
  content: IDL.Vec(IDL.Nat8),
  content_type: IDL.Text,
  revision: IDL.Nat,
  updated_at: IDL.Int,
});
const arg = new Uint8Array(IDL.encode([IDL.Text], [key]));
const canisterId = Principal.fromText(env.CANISTRY_CANISTER);
const agent = await HttpAgent.create({ host: env.CANISTRY_REPLICA_URL, identity, shouldFetchRootKey: true });

async function read() {
  const res = await agent.query(canisterId, { methodName: 'get_document', arg });
  if (res.status !== 'replied') throw new Error(`get_document: ${res.status}: ${res.reject_message}`);
  const [doc] = IDL.decode([IDL.Opt(Document)], res.reply.arg);
  if (doc.length !== 1 || doc[0].content.length !== size) {
    throw new Error(`read ${JSON.stringify(doc).slice(0, 200)}`);
  }
}

for (let i = 0; i < 5; i++) await read();
const lat = new Array(n);
let next = 0;
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      const t0 = performance.now();
      await read();
      lat[i] = performance.now() - t0;
    }
  }),
);
const elapsed = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    p50_ms: lat[Math.floor(n / 2)],
    p99_ms: lat[Math.min(n - 1, Math.floor((n * 99) / 100))],
    reads_per_s: n / elapsed,
  }),
);
