// A Canistry client in plain JavaScript: the user's own key (made with
// @dfinity/identity) delegates to the gateway's key, and every request
// carries that delegation in the Canistry-Delegation header. The gateway
// then calls the user's canister as the user; it never holds the user's key.
//
//   node examples/js/delegate.mjs keygen
//       prints {"secret": <hex seed>, "principal": <the user's principal>}
//   CANISTRY_GATEWAY=http://127.0.0.1:8080 CANISTRY_CANISTER=<id> CANISTRY_USER_SECRET=<hex> \
//   node examples/js/delegate.mjs demo
//       writes and reads back a document as the user; prints what it did as JSON
//
// Requests are Connect's JSON protocol over fetch; @connectrpc/connect-web
// works the same way with the header set by an interceptor.
import { DelegationChain, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));

// connect makes one unary Connect call with a JSON body.
export async function connect(gateway, service, method, body, headers = {}) {
  const res = await fetch(`${gateway}/${service}/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) {
    const err = new Error(`${method}: ${json.code}: ${json.message}`);
    err.code = json.code;
    throw err;
  }
  return json;
}

// gatewayKey asks the gateway, without authentication, for the key to
// delegate to (DER bytes).
export async function gatewayKey(gateway) {
  const { publicKey } = await connect(gateway, 'canistry.session.v1.SessionService', 'GetGatewayKey', {});
  return new Uint8Array(Buffer.from(publicKey, 'base64'));
}

// delegationHeader is the Canistry-Delegation value: the base64url (no
// padding) of DelegationChain.toJSON() of a delegation from identity to
// the gateway key, valid for ttlMs, only towards targets.
export async function delegationHeader(identity, gatewayDer, { targets, ttlMs = 8 * 3600 * 1000 } = {}) {
  const to = { toDer: () => gatewayDer };
  const chain = await DelegationChain.create(identity, to, new Date(Date.now() + ttlMs), {
    targets: targets?.map((t) => Principal.fromText(t)),
  });
  return Buffer.from(JSON.stringify(chain.toJSON())).toString('base64url');
}

async function demo() {
  const gateway = process.env.CANISTRY_GATEWAY;
  const canister = process.env.CANISTRY_CANISTER;
  const user = Ed25519KeyIdentity.generate(unhex(process.env.CANISTRY_USER_SECRET));
  const key = await gatewayKey(gateway);
  const header = await delegationHeader(user, key, { targets: [canister], ttlMs: 3600 * 1000 });
  const headers = { 'Canistry-Canister': canister, 'Canistry-Delegation': header };
  const personal = 'canistry.personal.v1.PersonalService';
  const content = Buffer.from(`written by ${user.getPrincipal().toText()}`).toString('base64');
  await connect(gateway, personal, 'PutDocument', { key: 'notes/js', content, contentType: 'text/plain' }, headers);
  const { document } = await connect(gateway, personal, 'GetDocument', { key: 'notes/js' }, headers);
  let withoutDelegation;
  try {
    await connect(gateway, personal, 'GetDocument', { key: 'notes/js' }, { 'Canistry-Canister': canister });
  } catch (err) {
    withoutDelegation = err.code;
  }
  console.log(JSON.stringify({
    principal: user.getPrincipal().toText(),
    read: Buffer.from(document.content, 'base64').toString(),
    withoutDelegation,
    header,
  }));
}

const mode = process.argv[2];
if (mode === 'keygen') {
  const id = Ed25519KeyIdentity.generate();
  const [, secret] = id.toJSON(); // [public hex, secret hex]; the seed is its first 32 bytes
  console.log(JSON.stringify({ secret: secret.slice(0, 64), principal: id.getPrincipal().toText() }));
} else if (mode === 'demo') {
  await demo();
} else if (mode !== undefined) {
  console.error('usage: node examples/js/delegate.mjs keygen | demo');
  process.exit(2);
}
