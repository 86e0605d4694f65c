#!/usr/bin/env node
// Builds every Motoko canister under canisters/ (each directory holding a
// main.mo) into canister.wasm + canister.did beside its main.mo, using the
// pinned npm `motoko` compiler fully offline (mo:core comes bundled).
//
// A directory without main.mo whose canister.json names "sources" is a
// derived canister: the sources of that other canister directory, with the
// exact texts of "substitute" replaced (each must occur), built into this
// directory. Tests use it for variants of a real canister that must not
// drift from it (a registry that answers another protocol, a personal
// canister whose health check fails).
//
//   node canisters/build.mjs          build and write the files
//   node canisters/build.mjs --check  build in memory only; exit 1 listing
//                                     every file that differs from disk
//   node canisters/build.mjs [--check] DIR...
//                                     only the canisters at or under DIRs
//
// Output must be byte-for-byte reproducible, because CI runs --check to prove
// the committed wasm was built from the committed sources. Everything that
// reaches the compiler is therefore independent of the checkout location and
// of the order files are found in. moc keeps internal state between
// compilations (a canister compiled after another one comes out different),
// so every canister is compiled in its own worker thread with a fresh
// compiler instance.

import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve, sep, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const canistersDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(canistersDir);

const PROTOCOL_SECTION = 'icp:public canistry:protocol';
// moc keeps every metadata section private unless told otherwise; clients
// (dfx, agents, the replica's own tooling) read the interface publicly.
const PUBLIC_METADATA = ['candid:service'];

async function main(argv) {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: node canisters/build.mjs [--check] [DIR...]  (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const only = argv.filter((a) => !a.startsWith('-')).map((a) => resolve(a));
  const dirs = findCanisterDirs(canistersDir).filter(
    (dir) => only.length === 0 || only.some((o) => dir === o || dir.startsWith(o + sep)),
  );
  if (dirs.length === 0) {
    console.error(`no canister directories (with main.mo) found under ${only.length > 0 ? only.join(', ') : 'canisters/'}`);
    return 1;
  }
  const mismatches = [];
  let failed = false;
  for (const dir of dirs) {
    const name = toPosix(relative(repoRoot, dir));
    const started = Date.now();
    let outputs;
    try {
      const built = await buildInWorker(dir);
      built.warnings.forEach((w) => console.warn(`      ${w}`));
      outputs = built.outputs;
    } catch (err) {
      console.error(`FAIL  ${name}: ${err.message}`);
      failed = true;
      continue;
    }
    const ms = Date.now() - started;
    const wasmSize = outputs.find((o) => o.file === 'canister.wasm').bytes.length;
    if (check) {
      const differing = outputs.filter((o) => !sameAsOnDisk(join(dir, o.file), o.bytes));
      differing.forEach((o) => mismatches.push(`${name}/${o.file}`));
      const status = differing.length === 0 ? 'ok   ' : 'DIFF ';
      console.log(`${status} ${name}  wasm ${wasmSize} bytes  ${ms} ms`);
    } else {
      outputs.forEach((o) => writeFileSync(join(dir, o.file), o.bytes));
      console.log(`built ${name}  wasm ${wasmSize} bytes  ${ms} ms`);
    }
  }
  if (failed) {
    return 1;
  }
  if (mismatches.length > 0) {
    console.error('\nThese committed build outputs do not match their sources:');
    mismatches.forEach((m) => console.error(`  ${m}`));
    console.error('Run `node canisters/build.mjs` and commit the results.');
    return 1;
  }
  if (check) {
    console.log(`all ${dirs.length} canisters match their committed wasm and did files`);
  }
  return 0;
}

// Compiles one canister directory in a fresh worker (see the header comment).
function buildInWorker(dir) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { dir } });
    let settled = false;
    worker.once('message', (msg) => {
      settled = true;
      if (msg.error !== undefined) {
        reject(new Error(msg.error));
      } else {
        resolve(msg.built);
      }
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) {
        reject(new Error(`compiler worker exited with code ${code} without a result`));
      }
    });
  });
}

function compileInThisWorker(dir) {
  try {
    parentPort.postMessage({ built: buildCanister(loadCompiler(), dir) });
  } catch (err) {
    parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

function loadCompiler() {
  const mo = require('motoko');
  // The bundled package means nothing is fetched from the network.
  mo.loadPackage(require('motoko/packages/latest/core.json'));
  mo.setPublicMetadata(PUBLIC_METADATA);
  return mo;
}

// Directories (sorted, so builds always run in the same order) that contain
// a main.mo, skipping node_modules and hidden directories.
function findCanisterDirs(root) {
  const found = [];
  const walk = (dir) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'main.mo') || isDerived(dir)) {
      found.push(dir);
    }
    for (const e of sortedByName(entries)) {
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) {
        walk(join(dir, e.name));
      }
    }
  };
  walk(root);
  return found.sort();
}

// Compiles one canister; returns its output files as bytes and moc's warnings.
function buildCanister(mo, dir) {
  // Sources live in the compiler's virtual FS under their repo-relative path,
  // so relative imports work and no absolute path can leak into the output.
  const virtualDir = toPosix(relative(repoRoot, dir));
  const config = readConfig(dir);
  const sourceDir = config.sources === undefined ? dir : resolve(dir, config.sources);
  if (!existsSync(join(sourceDir, 'main.mo'))) {
    throw new Error(`canister.json: "sources" ${config.sources} holds no main.mo`);
  }
  const substitutions = Object.entries(config.substitute ?? {});
  const used = new Set();
  for (const file of moSources(sourceDir)) {
    const rel = toPosix(relative(sourceDir, file));
    let text = readFileSync(file, 'utf8');
    for (const [from, to] of substitutions) {
      if (text.includes(from)) {
        used.add(from);
        text = text.split(from).join(to);
      }
    }
    mo.write(posix.join(virtualDir, rel), text);
  }
  const unused = substitutions.map(([from]) => from).filter((from) => !used.has(from));
  if (unused.length > 0) {
    throw new Error(`canister.json: "substitute" texts found in no source: ${unused.map((u) => JSON.stringify(u)).join(', ')}`);
  }
  // The raw compiler call (not mo.wasm) keeps the diagnostics: errors with
  // file:line:column, and warnings, which mo.wasm drops.
  const { code: result, diagnostics } = mo.compiler.compileWasm('ic', posix.join(virtualDir, 'main.mo'));
  const messages = (diagnostics ?? []).map(formatDiagnostic);
  if (!result) {
    throw new Error(`moc reported:\n${messages.join('\n') || '(no diagnostics)'}`);
  }
  let wasm = Uint8Array.from(result.wasm);
  const protocol = readProtocol(config);
  if (protocol !== undefined) {
    wasm = appendCustomSection(wasm, PROTOCOL_SECTION, new TextEncoder().encode(protocol));
  }
  return {
    warnings: messages,
    outputs: [
      { file: 'canister.wasm', bytes: wasm },
      { file: 'canister.did', bytes: new TextEncoder().encode(result.candid) },
    ],
  };
}

// LSP-style diagnostic (0-based positions, severity 1 = error) as
// `path:line:column: error M0050: message`.
function formatDiagnostic(d) {
  const start = d.range?.start ?? { line: 0, character: 0 };
  const severity = d.severity === 1 ? 'error' : 'warning';
  return `${d.source}:${start.line + 1}:${start.character + 1}: ${severity} ${d.code ?? ''}: ${d.message}`;
}

// All .mo files of a canister directory, including helper subdirectories but
// not subdirectories that are canisters of their own.
function moSources(dir) {
  const files = [];
  for (const e of sortedByName(readdirSync(dir, { withFileTypes: true }))) {
    const path = join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.mo')) {
      files.push(path);
    } else if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')
      && !existsSync(join(path, 'main.mo'))) {
      files.push(...moSources(path));
    }
  }
  return files;
}

// The optional canister.json: {"protocol": "personal/1.0.0"} names the
// protocol the canister implements; "sources" and "substitute" make a
// derived canister (see the header).
function readConfig(dir) {
  const path = join(dir, 'canister.json');
  if (!existsSync(path)) {
    return {};
  }
  let config;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`canister.json is not valid JSON: ${err.message}`);
  }
  if (config.sources !== undefined && (typeof config.sources !== 'string' || config.sources === '')) {
    throw new Error('canister.json: "sources" must be a directory path');
  }
  const substitute = config.substitute ?? {};
  if (typeof substitute !== 'object' || Array.isArray(substitute)
    || Object.entries(substitute).some(([k, v]) => k === '' || typeof v !== 'string')) {
    throw new Error('canister.json: "substitute" must map non-empty texts to texts');
  }
  return config;
}

// A derived canister: no main.mo of its own, canister.json naming "sources".
function isDerived(dir) {
  if (existsSync(join(dir, 'main.mo')) || !existsSync(join(dir, 'canister.json'))) {
    return false;
  }
  return readConfig(dir).sources !== undefined;
}

function readProtocol(config) {
  if (config.protocol === undefined) {
    return undefined;
  }
  if (typeof config.protocol !== 'string' || config.protocol === '') {
    throw new Error('canister.json: "protocol" must be a non-empty string');
  }
  return config.protocol;
}

// Appends a wasm custom section: id 0, LEB128 payload size, LEB128 name
// length, name, contents. Custom sections may appear anywhere, so the end is
// always valid.
function appendCustomSection(wasm, name, contents) {
  const nameBytes = new TextEncoder().encode(name);
  const payload = concat([uleb128(nameBytes.length), nameBytes, contents]);
  return concat([wasm, Uint8Array.of(0), uleb128(payload.length), payload]);
}

function uleb128(value) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`uleb128: ${value} is not a non-negative integer`);
  }
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) {
      byte |= 0x80;
    }
    out.push(byte);
  } while (value > 0);
  return Uint8Array.from(out);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function sameAsOnDisk(path, bytes) {
  if (!existsSync(path)) {
    return false;
  }
  return Buffer.from(bytes).equals(readFileSync(path));
}

function sortedByName(entries) {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toPosix(path) {
  return path.split(sep).join(posix.sep);
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  compileInThisWorker(workerData.dir);
}
