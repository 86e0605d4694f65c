// Offline checks that the committed test canisters have the upgrade
// relationships the replica's EOP upgrade tests rely on, judged by moc's own
// stable-signature compatibility checker on the `motoko:stable-types`
// metadata embedded in each built wasm. Needs no replica.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mo = require('motoko');

const testCanister = (name) => new URL(`../../canisters/test/${name}/canister.wasm`, import.meta.url);

// Returns the contents of the named custom section (id 0) of a wasm module.
function customSection(wasm, wanted) {
  let offset = 8; // magic + version
  const uleb = () => {
    let value = 0;
    let scale = 1;
    let byte;
    do {
      byte = wasm[offset++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  while (offset < wasm.length) {
    const id = wasm[offset++];
    const size = uleb();
    const end = offset + size;
    if (id === 0) {
      const nameLength = uleb();
      const name = wasm.subarray(offset, offset + nameLength).toString('utf8');
      if (name === wanted) {
        return wasm.subarray(offset + nameLength, end).toString('utf8');
      }
    }
    offset = end;
  }
  return undefined;
}

function stableTypes(name) {
  const types = customSection(readFileSync(testCanister(name)), 'icp:private motoko:stable-types');
  assert.ok(types, `${name}/canister.wasm has no motoko:stable-types metadata`);
  mo.write(`${name}.most`, types);
  return `${name}.most`;
}

// moc reports incompatibilities as diagnostics; none means compatible.
function upgradeDiagnostics(from, to) {
  const result = mo.compiler.stableCompatible(stableTypes(from), stableTypes(to));
  return result.diagnostics.map((d) => d.message);
}

describe('test canister upgrade compatibility (moc stable signatures)', () => {
  const cases = [
    { from: 'counter', to: 'counter', compatible: true },
    { from: 'counter', to: 'counter2', compatible: true },
    { from: 'counter', to: 'incompatible', compatible: false, because: /stable variable `count`/ },
    { from: 'counter2', to: 'counter', compatible: false, because: /`release`/ },
  ];
  for (const { from, to, compatible, because } of cases) {
    it(`${from} -> ${to} is ${compatible ? 'compatible' : 'incompatible'}`, () => {
      const diagnostics = upgradeDiagnostics(from, to);
      if (compatible) {
        assert.deepEqual(diagnostics, []);
      } else {
        assert.ok(diagnostics.some((m) => because.test(m)), `diagnostics: ${diagnostics.join('\n')}`);
      }
    });
  }

  it('every test canister is an enhanced orthogonal persistence module', () => {
    for (const name of ['counter', 'counter2', 'incompatible']) {
      const eop = customSection(readFileSync(testCanister(name)), 'icp:private enhanced-orthogonal-persistence');
      assert.match(eop ?? '', /^64-bit/, `${name}: enhanced-orthogonal-persistence = ${eop}`);
    }
  });
});
