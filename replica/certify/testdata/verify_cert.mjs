// Verifies a certificate with @dfinity/agent (Certificate.create: delegation, canister ranges,
// BLS signature, time) and looks up paths in it. Input (stdin, JSON):
//   {certificate: hex, rootKey: hex, canisterId: text, lookups: [{path: [hex...]}]}
// Output (stdout, JSON): {lookups: [{status, value?: hex}]}. Exits non-zero if verification fails.
import { Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
try {
  const cert = await Certificate.create({
    certificate: hex(req.certificate),
    rootKey: hex(req.rootKey),
    canisterId: Principal.fromText(req.canisterId),
  });
  const lookups = req.lookups.map(({ path }) => {
    const r = cert.lookup_path(path.map(hex));
    return r.value ? { status: r.status, value: Buffer.from(r.value).toString('hex') } : { status: r.status };
  });
  console.log(JSON.stringify({ lookups }));
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exit(1);
}
