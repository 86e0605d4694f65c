// Builds counter.wasm from counter.mo with the npm Motoko compiler.
// Usage (from this directory): NODE_PATH=/tmp/node_modules node build-counter.cjs
const fs = require('fs');
const mo = require('motoko');
mo.loadPackage(require('motoko/packages/latest/core.json'));
mo.write('Main.mo', fs.readFileSync(__dirname + '/counter.mo', 'utf8'));
const out = mo.wasm('Main.mo', 'ic');
if (!out.wasm) { console.error(out); process.exit(1); }
fs.writeFileSync(__dirname + '/counter.wasm', out.wasm);
console.log('wrote counter.wasm', out.wasm.length, 'bytes');
