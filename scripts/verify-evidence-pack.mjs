#!/usr/bin/env node
// Re-verifies an unzipped evidence pack offline (docs/evidence-pack.md). Plain Node.js 20+, no
// dependencies, nothing from the network: anyone can read this file and run it.
//
//   node verify-evidence-pack.mjs <pack folder> [--expect-head <block hash>]
//
// Checks, in order:
//  1. every file listed in MANIFEST.sha256 has that SHA-256 (what `sha256sum -c` checks);
//  2. every event of audit/segment.ndjson whose content the pack carries: SHA-256 of its
//     `canonical` text equals its hash, and its `content` says exactly what that text says;
//  3. every block: events in chain order inside its transaction range, as many as it sealed, its
//     digest SHA-256(prev_hash || "block:from:to:count" || event hashes) equals its hash, and it
//     links to the block before (number, range and hash);
//  4. the last block is the head named in audit/chain-head.json (and --expect-head, if given).
// Exit code 0: everything holds; 1: something does not (each failure is printed); 2: unusable input.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const folder = args.find((a) => !a.startsWith('--'));
const expectHead = args.includes('--expect-head') ? args[args.indexOf('--expect-head') + 1] : null;
if (!folder || !existsSync(join(folder, 'MANIFEST.sha256'))) {
  console.error('usage: node verify-evidence-pack.mjs <unzipped pack folder> [--expect-head <block hash>]');
  process.exit(2);
}

const failures = [];
const fail = (message) => failures.push(message);
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// 1. The manifest.
const manifest = readFileSync(join(folder, 'MANIFEST.sha256'), 'utf8').split('\n').filter(Boolean);
let files = 0;
for (const line of manifest) {
  const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
  if (!match) {
    fail(`MANIFEST.sha256: unreadable line "${line}"`);
    continue;
  }
  const [, digest, path] = match;
  if (normalize(path).startsWith('..') || path.startsWith(sep)) {
    fail(`MANIFEST.sha256: ${path} lies outside the pack`);
    continue;
  }
  const file = join(folder, path);
  if (!existsSync(file)) fail(`${path}: listed in the manifest but missing`);
  else if (sha256(readFileSync(file)) !== digest) fail(`${path}: its SHA-256 differs from the manifest`);
  files++;
}

// 2-4. The chain segment.
const headFile = JSON.parse(readFileSync(join(folder, 'audit', 'chain-head.json'), 'utf8'));
const FIELDS = ['id', 'txId', 'occurredAtMicros', 'actorType', 'actorId', 'actorRole', 'action', 'entityType', 'entityId', 'schoolId', 'before', 'after', 'requestId'];
const sameJson = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  return value;
}

let previous = null;
let blocks = 0;
let events = 0;
let withContent = 0;
const lines = createInterface({ input: createReadStream(join(folder, 'audit', 'segment.ndjson'), 'utf8'), crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { block: b, events: list } = JSON.parse(line);
  const where = `block ${b.blockNo}`;
  blocks++;
  if (previous) {
    if (b.blockNo !== previous.blockNo + 1) fail(`${where}: follows block ${previous.blockNo} (numbers are not contiguous)`);
    if (b.prevHash !== previous.hash) fail(`${where}: does not link to the hash of block ${previous.blockNo}`);
    if (b.fromTx !== previous.toTx) fail(`${where}: its range does not start where block ${previous.blockNo} ends`);
  }
  if (list.length !== b.eventCount) fail(`${where}: sealed ${b.eventCount} events, the pack has ${list.length}`);
  const digest = createHash('sha256').update(Buffer.from(b.prevHash, 'hex')).update(`${b.blockNo}:${b.fromTx}:${b.toTx}:${list.length}`, 'utf8');
  let last = null;
  for (const e of list) {
    events++;
    const tx = BigInt(e.txId);
    if (tx < BigInt(b.fromTx) || tx >= BigInt(b.toTx)) fail(`event ${e.id}: its transaction lies outside ${where}`);
    if (last && (tx < last.tx || (tx === last.tx && BigInt(e.id) <= last.id))) fail(`event ${e.id}: out of chain order in ${where}`);
    last = { tx, id: BigInt(e.id) };
    digest.update(Buffer.from(e.hash, 'hex'));
    if (e.canonical !== undefined) {
      withContent++;
      if (sha256(Buffer.from(e.canonical, 'utf8')) !== e.hash) fail(`event ${e.id}: its content does not match its hash (edited)`);
      const hashed = JSON.parse(e.canonical);
      const named = Object.fromEntries(FIELDS.map((name, i) => [name, hashed[i]]));
      if (!sameJson(named, e.content)) fail(`event ${e.id}: the content shown differs from the content hashed (edited)`);
      if (String(hashed[0]) !== e.id || hashed[1] !== e.txId) fail(`event ${e.id}: its id or transaction differs from what was hashed`);
    }
  }
  if (digest.digest('hex') !== b.hash) fail(`${where}: the digest of its events does not match its hash (an event was edited, added or removed)`);
  previous = b;
}

const head = headFile.head;
if (head) {
  if (!previous) fail(`the segment is empty but the head is block ${head.blockNo}`);
  else if (previous.blockNo !== head.blockNo || previous.hash !== head.hash) fail(`the segment ends at block ${previous.blockNo}, not at the head block ${head.blockNo} named in chain-head.json`);
  if (headFile.verification?.headHash && headFile.verification.headHash !== head.hash) fail('chain-head.json: the head hash and the verification disagree');
}
if (headFile.verification && !headFile.verification.valid) {
  const at = headFile.verification.firstBrokenLink;
  fail(`the service's own verification found the chain broken when the pack was made${at ? ` (${at.kind} ${at.at}: ${at.reason})` : ''}`);
}
if (expectHead && head?.hash !== expectHead) fail(`the head hash is ${head?.hash ?? 'absent'}, not the expected ${expectHead}`);

console.log(`files: ${files} checked against MANIFEST.sha256`);
console.log(`audit chain: blocks ${headFile.segment?.fromBlock ?? '-'}..${previous?.blockNo ?? '-'} (${blocks}), ${events} events, ${withContent} with their content re-hashed`);
if (previous) console.log(`anchored on the hash before block ${headFile.segment.fromBlock}; head block ${previous.blockNo} hash ${previous.hash}`);
console.log(`server's own verification when the pack was made: ${headFile.verification?.valid ? 'valid' : 'NOT VALID'}`);
if (failures.length) {
  console.log(`\nFAILED: ${failures.length} problem(s)`);
  for (const f of failures) console.log(`  - ${f}`);
  process.exit(1);
}
console.log('\nOK: the pack is intact and its audit chain segment verifies.');
