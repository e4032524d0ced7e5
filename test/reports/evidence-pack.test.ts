import { verifyCode } from '../../src/loans/agreement/agreement-number.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipTo } from '../helpers/zip.js';
import { binary } from '../helpers/pdf.js';
import type { TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem, get, issued, newDevice, newFixture, newProgram, newStudent, post, setPriceList, type Fixture } from '../loans/loan-fixtures.js';

/**
 * The evidence pack, checked the way an auditor would: downloaded, unzipped, `sha256sum -c` on
 * its manifest, and the repository's offline script on its audit chain segment; then tampered
 * with, to show the script notices.
 */

const SCRIPT = join(process.cwd(), 'scripts', 'verify-evidence-pack.mjs');
const PUBLIC_BASE_URL = 'https://pinjam.disdik.example.go.id';
let t: TestApp;
let f: Fixture;
let program: { id: string; code: string };
const loans: { id: string; agreementNumber: string; schoolId: string }[] = [];

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_BASE_URL });
  f = await newFixture(t);
  program = await newProgram(t, f.cast.admin);
  await setPriceList(t, f.cast.admin, program.id);
  for (const [school, user] of [[f.cast.schoolA.id, f.cast.operatorA], [f.cast.schoolA.id, f.cast.operatorA], [f.cast.schoolB.id, f.cast.operatorB]] as const) {
    const loan = await issued(t, user, { programId: program.id, studentId: await newStudent(t, school), deviceId: await newDevice(t, f.catalogue, school) });
    loans.push({ ...loan, schoolId: school });
  }
  // A return with a missing charger: one open charge at school A.
  expect((await post(t, f.cast.operatorA, `/api/v1/loans/${loans[0].id}/return`, { condition: 'good', checklist: { charger: false, bag: true }, nextStatus: 'in_stock' }, randomUUID())).status).toBe(200);
}, 60_000);
afterAll(() => t?.close());

// Every pack unzipped or tampered with here, removed when the file's tests end.
const folders: string[] = [];
const newFolder = (prefix: string) => {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
};
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function download(user: TestUser, query: Record<string, string>) {
  return t.http().get('/api/v1/reports/evidence-pack.zip').query(query).set('authorization', user.auth).buffer(true).parse(binary as never);
}


const verify = (folder: string, ...args: string[]) => spawnSync(process.execPath, [SCRIPT, folder, ...args], { encoding: 'utf8' });
const sha256sum = (folder: string) => spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: folder, encoding: 'utf8' });
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

async function fetchPack(user: TestUser, query: Record<string, string>) {
  const res = await download(user, query);
  expect({ status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ status: 200, body: undefined });
  const folder = newFolder('evidence-pack-');
  const names = await unzipTo(res.body, folder);
  return { res, folder, names, zip: res.body as Buffer };
}

describe('GET /api/v1/reports/evidence-pack.zip', () => {
  let pack: Awaited<ReturnType<typeof fetchPack>>;

  beforeAll(async () => {
    pack = await fetchPack(f.cast.auditor, { programId: program.id });
  });

  it('streams a ZIP of the summary, every report, the registers, the chain head and segment, and a manifest', () => {
    expect(pack.res.headers['content-type']).toBe('application/zip');
    expect(pack.res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="evidence-pack-${program.code}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`));
    expect([...pack.names].sort()).toEqual(
      [
        'MANIFEST.sha256', 'README.txt', 'pack.json', 'summary.pdf',
        'audit/chain-head.json', 'audit/segment.ndjson',
        'registers/agreements.csv', 'registers/charges.csv',
        'reports/activity.csv', 'reports/coverage.csv', 'reports/losses.csv', 'reports/overdue-loans.csv', 'reports/overdue-schools.csv',
        'reports/stock-reconciliation-batches.csv', 'reports/stock-reconciliation-mismatches.csv', 'reports/stock-reconciliation-schools.csv',
      ].sort(),
    );
    expect(pack.names.at(-1)).toBe('MANIFEST.sha256');
    expect(readFileSync(join(pack.folder, 'summary.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The standard tool reads it too, where it is installed.
    if (hasUnzip) {
      const file = join(newFolder('evidence-zip-'), 'pack.zip');
      writeFileSync(file, pack.zip);
      const tested = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect({ status: tested.status, out: tested.stdout }).toEqual({ status: 0, out: expect.stringContaining('No errors detected') });
    }
  });

  it('passes `sha256sum -c MANIFEST.sha256` and the offline script', () => {
    const sums = sha256sum(pack.folder);
    expect({ status: sums.status, stderr: sums.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sums.stdout.trim().split('\n')).toHaveLength(15);
    expect(sums.stdout.trim().split('\n').every((l) => l.endsWith(': OK'))).toBe(true);
    const script = verify(pack.folder);
    expect({ status: script.status, out: script.stdout }).toEqual({ status: 0, out: expect.stringContaining('OK: the pack is intact') });
    const [, blocks, events, rehashed] = /\((\d+)\), (\d+) events, (\d+) with their content re-hashed/.exec(script.stdout)!.map(Number);
    expect(blocks).toBeGreaterThan(0);
    // A city-wide pack carries every event of its segment in full.
    expect(rehashed).toBe(events);
  });

  it('lists every agreement of the program with its verification URL, and the charges ledger', () => {
    const agreements = parse(readFileSync(join(pack.folder, 'registers/agreements.csv')), { columns: true }) as Record<string, string>[];
    expect(agreements.map((a) => a.agreementNumber).sort()).toEqual(loans.map((l) => l.agreementNumber).sort());
    for (const a of agreements) {
      expect(a.verifyUrl).toBe(`${PUBLIC_BASE_URL}/api/v1/agreements/${a.agreementNumber}/verify?c=${verifyCode(t.config.verifyLinkSecret, a.agreementNumber)}`);
      expect(a['parameters.programId']).toBe(program.id);
      expect(a.nisn).toMatch(/^\d{10}$/);
      expect(a.assetTag).toMatch(/^LN-/);
    }
    expect(agreements.find((a) => a.agreementNumber === loans[0].agreementNumber)).toMatchObject({ status: 'returned', returnedAt: expect.stringMatching(/Z$/) });
    const charges = parse(readFileSync(join(pack.folder, 'registers/charges.csv')), { columns: true }) as Record<string, string>[];
    expect(charges.map((c) => [c.agreementNumber, c.itemCode, c.amount, c.status])).toEqual([[loans[0].agreementNumber, 'missing_charger', '250000', 'open']]);
  });

  it('records the chain head and its verification, matching the database, and its own creation as an audit event', async () => {
    const head = JSON.parse(readFileSync(join(pack.folder, 'audit/chain-head.json'), 'utf8'));
    expect(head.verification).toMatchObject({ valid: true, firstBrokenLink: null });
    const { rows: [block] } = await t.db.query(`SELECT block_no::int, encode(hash, 'hex') AS hash FROM audit_blocks WHERE block_no = $1`, [head.head.blockNo]);
    expect(block).toEqual({ block_no: head.head.blockNo, hash: head.head.hash });
    expect(head.verification.headHash).toBe(head.head.hash);
    const meta = JSON.parse(readFileSync(join(pack.folder, 'pack.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'laptop-loans-evidence-pack/1', program: { id: program.id, code: program.code }, school: null, createdBy: { kind: 'user', id: f.cast.auditor.id, role: 'auditor' } });
    const { rows } = await t.db.query(`SELECT actor_id, school_id, after FROM audit_events WHERE action = 'report.evidence_pack_created' AND after->>'packId' = $1`, [meta.packId]);
    expect(rows).toEqual([{ actor_id: f.cast.auditor.id, school_id: null, after: expect.objectContaining({ headBlock: head.head.blockNo, headHash: head.head.hash, chainValid: true, agreements: 3, charges: 1 }) }]);
  });

  it('the script notices an edited event, even when the manifest was rewritten to match', () => {
    const tampered = (edit: (block: { block: Record<string, unknown>; events: Record<string, any>[] }) => boolean) => {
      const folder = newFolder('evidence-pack-tampered-');
      execFileSync('cp', ['-r', `${pack.folder}/.`, folder]);
      const path = join(folder, 'audit/segment.ndjson');
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const target = lines.find((b) => edit(b));
      expect(target).toBeDefined();
      writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      // A careful forger also fixes the manifest, so `sha256sum -c` alone passes.
      const digest = execFileSync('sha256sum', ['audit/segment.ndjson'], { cwd: folder, encoding: 'utf8' }).split(' ')[0];
      const manifest = readFileSync(join(folder, 'MANIFEST.sha256'), 'utf8').replace(/^[0-9a-f]{64}(  audit\/segment\.ndjson)$/m, `${digest}$1`);
      writeFileSync(join(folder, 'MANIFEST.sha256'), manifest);
      expect(sha256sum(folder).status).toBe(0);
      return verify(folder);
    };
    const issuedEvent = (b: { events: Record<string, any>[] }) => b.events.find((e) => e.content?.action === 'loan.issued');

    // 1. The content shown is changed (the due date of an issued loan).
    const shown = tampered((b) => {
      const e = issuedEvent(b);
      if (!e) return false;
      e.content.after.dueDate = '2030-01-01';
      return true;
    });
    expect(shown.status).toBe(1);
    expect(shown.stdout).toMatch(/event \d+: the content shown differs from the content hashed/);

    // 2. The hashed text is changed too, consistently.
    const both = tampered((b) => {
      const e = issuedEvent(b);
      if (!e) return false;
      e.canonical = e.canonical.replace(/"dueDate": "[^"]+"/, '"dueDate": "2030-01-01"');
      e.content.after.dueDate = '2030-01-01';
      return true;
    });
    expect(both.status).toBe(1);
    expect(both.stdout).toMatch(/event \d+: its content does not match its hash \(edited\)/);

    // 3. ... and its hash recomputed: the block no longer adds up.
    const rehashed = tampered((b) => {
      const e = issuedEvent(b);
      if (!e) return false;
      e.canonical = e.canonical.replace(/"dueDate": "[^"]+"/, '"dueDate": "2030-01-01"');
      e.content.after.dueDate = '2030-01-01';
      e.hash = execFileSync('sha256sum', { input: e.canonical, encoding: 'utf8' }).split(' ')[0];
      return true;
    });
    expect(rehashed.status).toBe(1);
    expect(rehashed.stdout).toMatch(/block \d+: the digest of its events does not match its hash/);
    expect(rehashed.stdout).not.toMatch(/event \d+:/);

    // 4. An event removed from a block.
    const removed = tampered((b) => (b.events.length > 1 ? (b.events.splice(0, 1), true) : false));
    expect(removed.status).toBe(1);
    expect(removed.stdout).toMatch(/sealed \d+ events, the pack has \d+/);

    // And a head that is not the one recorded elsewhere.
    const wrongHead = verify(pack.folder, '--expect-head', '0'.repeat(64));
    expect(wrongHead.status).toBe(1);
    expect(wrongHead.stdout).toContain('not the expected');
  });
});

describe('who may make a pack, of what', () => {
  it('a school administrator gets their own school: its agreements, and only its events in full', async () => {
    const own = await fetchPack(f.cast.operatorA, { programId: program.id });
    const agreements = parse(readFileSync(join(own.folder, 'registers/agreements.csv')), { columns: true }) as Record<string, string>[];
    expect(agreements.map((a) => a.agreementNumber).sort()).toEqual(loans.filter((l) => l.schoolId === f.cast.schoolA.id).map((l) => l.agreementNumber).sort());
    const segment = readFileSync(join(own.folder, 'audit/segment.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const events = segment.flatMap((b) => b.events);
    const shown = events.filter((e) => e.content);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((e) => e.content.schoolId === f.cast.schoolA.id)).toBe(true);
    // School B's events are in the chain as hashes only: nothing of B's leaks, and the blocks still verify.
    expect(JSON.stringify(segment)).not.toContain(loans[2].id);
    expect(events.length).toBeGreaterThan(shown.length);
    expect(sha256sum(own.folder).status).toBe(0);
    expect(verify(own.folder).status).toBe(0);
    expect(JSON.parse(readFileSync(join(own.folder, 'pack.json'), 'utf8')).school).toMatchObject({ id: f.cast.schoolA.id });
  });

  it('another school is a 404 and writes nothing; an unknown program a 404; no program a 400', async () => {
    const count = async () => (await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'report.evidence_pack_created'`)).rows[0].n;
    const before = await count();
    const refused = async (user: typeof f.cast.auditor, query: string, status: number) => {
      const res = await get(t, user, `/api/v1/reports/evidence-pack.zip${query}`);
      expectProblem(res, status);
      return res.body;
    };
    expect(await refused(f.cast.operatorB, `?programId=${program.id}&schoolId=${f.cast.schoolA.id}`, 404)).toMatchObject({ code: 'school_not_found' });
    expect(await refused(f.cast.auditor, `?programId=${randomUUID()}`, 404)).toMatchObject({ code: 'program_not_found' });
    expect(await refused(f.cast.auditor, `?programId=${program.id}&schoolId=${randomUUID()}`, 404)).toMatchObject({ code: 'school_not_found' });
    expect((await refused(f.cast.auditor, '', 400)).errors).toEqual([expect.objectContaining({ field: 'programId', code: 'required' })]);
    expect(await count()).toBe(before);
  });
});
