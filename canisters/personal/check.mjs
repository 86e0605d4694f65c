#!/usr/bin/env node
// Checks the personal canister protocol versions with the pinned npm motoko
// compiler (offline), beyond what canisters/build.mjs does:
//
//   1. every version compiles without errors or warnings;
//   2. its Candid equals the committed protocol/canister/personal/<v>.did
//      (`--write` rewrites those files instead);
//   3. the stable-compatibility matrix, with the compiler's own check (the one
//      dfx runs before an upgrade): every upgrade to the same or a newer
//      version must be accepted, every downgrade refused;
//   4. 3.0.0 keeps every method and type of 2.0.0 unchanged, so 2.0.0
//      clients keep working after the owner upgrades;
//   5. the Motoko unit tests in test/ pass in the moc interpreter
//      (*.test.mo must run cleanly, *.trap.mo must trap with the message
//      given in its first line: `// expect-trap: <text>`, *.actor.mo must
//      print "actor tests passed"; the latter run several canisters that
//      call each other, with INTERPRETER_PATCHES applied).
//
//   node canisters/personal/check.mjs [--write]

import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, relative, sep, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const personalDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(dirname(personalDir));
const didDir = join(repoRoot, 'protocol', 'canister', 'personal');
const VERSIONS = ['1.0.0', '2.0.0', '3.0.0'];

// The moc interpreter differs from the IC in two ways that the actor tests
// would hit; each patch must match, so a changed source fails loudly:
// - its actors' principals are not opaque canister ids (last byte 0x01),
//   so "is a canister" becomes "is not anonymous";
// - it has no global timer (global_timer_set), so arming the retry timer is a
//   no-op; the tests drive retries with retry_outbox() instead.
const INTERPRETER_PATCHES = [
  ['3.0.0/main.mo', 'Principal.isCanister(to)', '(not Principal.isAnonymous(to))'],
  ['3.0.0/Messaging.mo', 'Principal.isCanister(from)', '(not Principal.isAnonymous(from))'],
  ['3.0.0/Sharing.mo', 'Principal.isCanister(peer)', '(not Principal.isAnonymous(peer))'],
  ['3.0.0/main.mo', '?Timer.recurringTimer<system>(#seconds RETRY_INTERVAL_SECONDS, retryTick)', '?(do { ignore (RETRY_INTERVAL_SECONDS, retryTick); 0 })'],
  ['3.0.0/main.mo', 'Timer.cancelTimer(id);', 'ignore id;'],
];

function freshCompiler() {
  const mo = require('motoko');
  mo.loadPackage(require('motoko/packages/latest/core.json'));
  return mo;
}

function toPosix(path) {
  return path.split(sep).join(posix.sep);
}

// Writes every .mo file under canisters/personal into the compiler's virtual
// FS at its repo-relative path, so tests can import any version's modules.
function writeSources(mo, patches = [], dir = personalDir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') writeSources(mo, patches, path);
    else if (e.isFile() && e.name.endsWith('.mo')) mo.write(toPosix(relative(repoRoot, path)), patched(path, patches));
  }
}

function patched(path, patches) {
  let source = readFileSync(path, 'utf8');
  for (const [file, from, to] of patches) {
    if (toPosix(relative(personalDir, path)) !== file) continue;
    if (!source.includes(from)) throw new Error(`interpreter patch no longer matches ${file}: ${from}`);
    source = source.replaceAll(from, to);
  }
  return source;
}

function formatDiagnostic(d) {
  const kind = d.severity === 1 ? 'error' : 'warning';
  return `${d.source}:${d.range.start.line + 1}:${d.range.start.character + 1} ${kind} ${d.code}: ${d.message}`;
}

// Worker: compile one version with a fresh compiler (moc keeps state between
// compilations, see canisters/build.mjs).
function compileVersion(version) {
  const mo = freshCompiler();
  writeSources(mo);
  const main = posix.join('canisters/personal', version, 'main.mo');
  const diagnostics = mo.check(main).map(formatDiagnostic);
  if (diagnostics.some((d) => d.includes(' error '))) return { diagnostics };
  const out = mo.wasm(main, 'ic');
  return { diagnostics, candid: out.candid, stable: out.stable, wasmBytes: out.wasm.length };
}

// Worker: run one interpreter test file.
function runTest(file) {
  const mo = freshCompiler();
  writeSources(mo, file.endsWith('.actor.mo') ? INTERPRETER_PATCHES : []);
  const path = toPosix(relative(repoRoot, file));
  const run = mo.run(path);
  return { stdout: run.stdout, stderr: run.stderr, failed: run.result?.error != null };
}

function inWorker(task) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: task });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function checkStableMatrix(builds, problems) {
  const mo = freshCompiler();
  for (const v of VERSIONS) mo.write(`${v}.most`, builds[v].stable);
  for (const from of VERSIONS) {
    for (const to of VERSIONS) {
      const result = mo.compiler.stableCompatible(`${from}.most`, `${to}.most`);
      const errors = (result.diagnostics ?? []).filter((d) => d.severity === 1).map((d) => d.message);
      const accepted = errors.length === 0;
      const wanted = VERSIONS.indexOf(from) <= VERSIONS.indexOf(to);
      const verdict = accepted ? 'accepted' : `refused (${errors[0].split('.')[0]})`;
      console.log(`  upgrade ${from} -> ${to}: ${verdict}`);
      if (accepted !== wanted) problems.push(`upgrade ${from} -> ${to} should be ${wanted ? 'accepted' : 'refused'} but is ${verdict}`);
    }
  }
}

// Pretty-printed Candid from moc: "type Name = \n <def>;" blocks and one
// "service { m: ...; }" block. Returns {types: Map, methods: Map}.
function parseDid(text) {
  const types = new Map();
  const methods = new Map();
  const blocks = text.split(/\n(?=type |service )/);
  for (const block of blocks) {
    const typeMatch = block.match(/^type (\S+) = ([\s\S]*);\s*$/);
    if (typeMatch && !typeMatch[2].trimStart().startsWith('service')) {
      types.set(typeMatch[1], typeMatch[2].replace(/\s+/g, ' ').trim());
    } else if (typeMatch) {
      for (const m of typeMatch[2].matchAll(/^\s+(\w+): ([^;]*(?:\n[^;]*)*);/gm)) methods.set(m[1], m[2].replace(/\s+/g, ' ').trim());
    }
  }
  return { types, methods };
}

function checkExtends(older, newer, builds, problems) {
  const a = parseDid(builds[older].candid);
  const b = parseDid(builds[newer].candid);
  if (a.methods.size === 0) problems.push(`could not parse the service of ${older}`);
  for (const [name, sig] of a.methods) {
    if (b.methods.get(name) !== sig) problems.push(`${newer} changes ${older} method ${name}: ${sig} -> ${b.methods.get(name)}`);
  }
  for (const [name, def] of a.types) {
    if (name !== 'Personal' && b.types.get(name) !== def) problems.push(`${newer} changes ${older} type ${name}`);
  }
  console.log(`  ${newer} keeps all ${a.methods.size} methods and ${a.types.size} types of ${older}`);
}

async function main(argv) {
  const write = argv.includes('--write');
  const problems = [];
  const builds = {};
  for (const version of VERSIONS) {
    const build = await inWorker({ compile: version });
    build.diagnostics.forEach((d) => problems.push(`${version}: ${d}`));
    if (build.candid === undefined) continue;
    builds[version] = build;
    console.log(`compiled ${version}: wasm ${build.wasmBytes} bytes, ${build.diagnostics.length} diagnostics`);
    const didPath = join(didDir, `${version}.did`);
    if (write) {
      writeFileSync(didPath, build.candid);
    } else if (!existsSync(didPath) || readFileSync(didPath, 'utf8') !== build.candid) {
      problems.push(`protocol/canister/personal/${version}.did differs from the compiler's Candid (run with --write)`);
    }
  }
  if (Object.keys(builds).length === VERSIONS.length) {
    console.log('stable compatibility:');
    checkStableMatrix(builds, problems);
    console.log('interface evolution:');
    checkExtends('2.0.0', '3.0.0', builds, problems);
  }
  console.log('interpreter tests:');
  const testDir = join(personalDir, 'test');
  for (const name of readdirSync(testDir).filter((n) => n.endsWith('.mo')).sort()) {
    const file = join(testDir, name);
    const result = await inWorker({ test: file });
    const expectTrap = readFileSync(file, 'utf8').match(/^\/\/ expect-trap: (.*)$/m)?.[1];
    let ok;
    if (expectTrap !== undefined) ok = result.failed && result.stderr.includes(expectTrap);
    else if (name.endsWith('.actor.mo')) ok = !result.failed && result.stderr.trim() === '' && result.stdout.includes('actor tests passed');
    else ok = !result.failed && result.stderr.trim() === '';
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);
    if (!ok) problems.push(`test ${name} failed:\n${result.stdout}${result.stderr}`);
  }
  if (problems.length > 0) {
    console.error('\nPROBLEMS:');
    problems.forEach((p) => console.error(`  ${p}`));
    return 1;
  }
  console.log('all checks passed');
  return 0;
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else if (workerData.compile !== undefined) {
  parentPort.postMessage(compileVersion(workerData.compile));
} else {
  parentPort.postMessage(runTest(workerData.test));
}
