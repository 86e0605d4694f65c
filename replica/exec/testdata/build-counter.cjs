// Builds counter.wasm and counter_v2.wasm from their .mo sources with the
// npm Motoko compiler (motoko@4.10.0: cd /tmp && npm install motoko@4.10.0).
// Usage (from this directory): NODE_PATH=/tmp/node_modules node build-counter.cjs
const fs = require('fs');
const mo = require('motoko');
mo.loadPackage(require('motoko/packages/latest/core.json'));
for (const name of ['counter', 'counter_v2']) {
  mo.write('Main.mo', fs.readFileSync(`${__dirname}/${name}.mo`, 'utf8'));
  const out = mo.wasm('Main.mo', 'ic');
  if (!out.wasm) { console.error(out); process.exit(1); }
  fs.writeFileSync(`${__dirname}/${name}.wasm`, out.wasm);
  console.log(`wrote ${name}.wasm`, out.wasm.length, 'bytes');
}
