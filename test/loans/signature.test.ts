import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCanvas } from '@napi-rs/canvas';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pngjs from 'pngjs';
import { StudentAccessLog } from '../../src/students/privacy/student-access-log.js';
import { binary, countPixels, pdfText, renderPage } from '../helpers/pdf.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  consent,
  expectProblem,
  get,
  issueBody,
  loanWriteCounts,
  newFixture,
  newDevice,
  newProgram,
  newStudent,
  post,
  RETURN_OK,
  type Fixture,
} from './loan-fixtures.js';

/**
 * The guardian's drawn signature, end to end against a real database: sent with the issue,
 * stored with the loan in one transaction, checked as a real PNG, drawn in the agreement PDF's
 * signature box with its SHA-256 printed (the PDF is rendered and its pixels counted), read back
 * byte for byte, and covered by the data export, the retention job and the access log.
 */

let t: TestApp;
let f: Fixture;
let programId: string;

beforeAll(async () => {
  t = await startTestApp({ SIGNATURE_MAX_BYTES: String(64 * 1024), ACCESS_LOG_FLUSH_MS: '60000' });
  f = await newFixture(t);
  programId = (await newProgram(t, f.cast.admin)).id;
});
afterAll(() => t?.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A signature as a pad draws it: blue strokes on a transparent 600x200 canvas. */
function drawnSignature(seed = 1): Buffer {
  const canvas = createCanvas(600, 200);
  const ctx = canvas.getContext('2d');
  ctx.strokeStyle = '#0000ff';
  ctx.lineWidth = 6;
  ctx.beginPath();
  ctx.moveTo(30, 150);
  for (let x = 30; x < 570; x += 15) ctx.lineTo(x, 100 + Math.sin((x + seed * 37) / 40) * 60);
  ctx.stroke();
  return canvas.toBuffer('image/png');
}

async function freshPair() {
  const studentId = await newStudent(t, f.cast.schoolA.id);
  const deviceId = await newDevice(t, f.catalogue, f.cast.schoolA.id);
  return { programId, studentId, deviceId };
}

function issueSigned(body: Record<string, unknown>, key = randomUUID(), user = f.cast.operatorA) {
  return t.http().post('/api/v1/loans').set('authorization', user.auth).set('idempotency-key', key).send(body);
}

const signedBody = async (png: Buffer, overrides: Record<string, unknown> = {}) => ({
  ...issueBody(await freshPair()),
  guardianConsent: consent({ method: 'digital' }),
  guardianSignaturePng: png.toString('base64'),
  ...overrides,
});

const getBinary = (path: string, auth: string) => t.http().get(path).set('authorization', auth).buffer(true).parse(binary as never);

const isBlue = (r: number, g: number, b: number) => b > 150 && r < 90 && g < 90;

describe('issuing with a drawn signature', () => {
  let loanId: string;
  const png = drawnSignature();

  beforeAll(async () => {
    const res = await issueSigned(await signedBody(png));
    expect(res.status).toBe(201);
    loanId = res.body.id;
  });

  it('stores the PNG with the loan, at its school, and puts its SHA-256 in the audit chain', async () => {
    const { rows } = await t.db.query(`SELECT school_id, png, encode(sha256, 'hex') AS sha256, byte_size, width, height, anonymised_at FROM loan_signatures WHERE loan_id = $1`, [loanId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ school_id: f.cast.schoolA.id, sha256: sha256(png), byte_size: png.length, width: 600, height: 200, anonymised_at: null });
    expect(Buffer.compare(rows[0].png, png)).toBe(0);
    const { rows: events } = await t.db.query(`SELECT action, after FROM audit_events WHERE entity_id = $1 ORDER BY id`, [loanId]);
    expect(events.map((e) => e.action)).toEqual(['loan.issued', 'loan.signature_recorded']);
    expect(events[1].after).toEqual({ sha256: sha256(png), bytes: png.length, width: 600, height: 200 });
  });

  it('answers the image byte for byte, with its hash, to the school and the office; another school gets 404', async () => {
    for (const user of [f.cast.operatorA, f.cast.auditor, f.cast.admin]) {
      const res = await getBinary(`/api/v1/loans/${loanId}/signature.png`, user.auth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['x-content-sha256']).toBe(sha256(png));
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(Buffer.compare(res.body, png)).toBe(0);
    }
    const elsewhere = await get(t, f.cast.operatorB, `/api/v1/loans/${loanId}/signature.png`);
    expectProblem(elsewhere, 404);
    expect(elsewhere.body.code).toBe('loan_not_found');
  });

  it('notes every read of the image in the student-access log', async () => {
    const log = t.app.get(StudentAccessLog);
    await log.flush();
    const reader = f.cast.auditor;
    const { rows: [{ n: before }] } = await t.db.query(`SELECT count(*)::int AS n FROM student_access_log WHERE actor_id = $1 AND operation = 'loan.guardian-signature'`, [reader.id]);
    expect((await getBinary(`/api/v1/loans/${loanId}/signature.png`, reader.auth)).status).toBe(200);
    await log.flush();
    const { rows } = await t.db.query(`SELECT student_id, school_id FROM student_access_log WHERE actor_id = $1 AND operation = 'loan.guardian-signature'`, [reader.id]);
    expect(rows).toHaveLength(before + 1);
    const { rows: [loan] } = await t.db.query(`SELECT student_id FROM loans WHERE id = $1`, [loanId]);
    expect(rows.at(-1)).toEqual({ student_id: loan.student_id, school_id: f.cast.schoolA.id });
  });

  it('draws the image in the guardian\'s signature box of the agreement and prints its SHA-256', async () => {
    const res = await getBinary(`/api/v1/loans/${loanId}/agreement.pdf`, f.cast.operatorA.auth);
    expect(res.status).toBe(200);
    const { text, pages } = await pdfText(res.body);
    expect(text).toContain(`SHA-256 tanda tangan Pihak Kedua: ${sha256(png)}`);
    const last = await renderPage(res.body, pages.length);
    // The guardian's column is the left third of the text area (56 pt margin, A4 595 pt wide).
    const column = (595.28 - 112) / 3;
    const inGuardianBox = countPixels(last, { x: 56, y: 0, width: column, height: 842 }, isBlue);
    const elsewhere = countPixels(last, { x: 56 + column, y: 0, width: 595 - 56 - column, height: 842 }, isBlue);
    expect(inGuardianBox).toBeGreaterThan(500);
    expect(elsewhere).toBe(0);
  });

  it('keeps the wet-ink box of a paper agreement empty, with no hash', async () => {
    const res = await issueSigned({ ...issueBody(await freshPair()) });
    expect(res.status).toBe(201);
    expect((await t.db.query(`SELECT 1 FROM loan_signatures WHERE loan_id = $1`, [res.body.id])).rowCount).toBe(0);
    const pdf = await getBinary(`/api/v1/loans/${res.body.id}/agreement.pdf`, f.cast.operatorA.auth);
    const { text, pages } = await pdfText(pdf.body);
    expect(text).not.toContain('SHA-256');
    expect(text).toContain('Orang Tua/Wali Siswa');
    const last = await renderPage(pdf.body, pages.length);
    expect(countPixels(last, { x: 0, y: 0, width: 595, height: 842 }, isBlue)).toBe(0);
    const none = await get(t, f.cast.operatorA, `/api/v1/loans/${res.body.id}/signature.png`);
    expectProblem(none, 404);
    expect(none.body).toMatchObject({ code: 'signature_not_found', params: {} });
  });

  it('a retry with the same key replays the answer and stores one signature', async () => {
    const body = await signedBody(drawnSignature(2));
    const key = randomUUID();
    const first = await issueSigned(body, key);
    const again = await issueSigned(body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM loan_signatures s JOIN loans l ON l.id = s.loan_id WHERE l.student_id = $1`, [body.studentId]);
    expect(rows[0].n).toBe(1);
  });
});

describe('refusing what is not a signature image', () => {
  const plain = (width: number, height: number) => {
    const image = new pngjs.PNG({ width, height });
    image.data.fill(255);
    return pngjs.PNG.sync.write(image);
  };
  const good = drawnSignature(3);
  const badCrc = Buffer.from(good);
  badCrc[40] ^= 0xff;
  // Random pixels do not compress: a PNG larger than the 64 KiB this app is set to accept.
  const noisy = new pngjs.PNG({ width: 400, height: 200 });
  randomBytes(noisy.data.length).copy(noisy.data);
  const tooLarge = pngjs.PNG.sync.write(noisy);

  const bounds = { minWidth: 32, minHeight: 16, maxWidth: 4000, maxHeight: 2000 };
  const cases: [string, () => Promise<Record<string, unknown>>, string, string, Record<string, unknown>, RegExp][] = [
    ['not base64', async () => signedBody(good, { guardianSignaturePng: 'data:image/png;base64,iVBORw0KGgo=' }), 'guardianSignaturePng', 'signature_not_base64', {}, /base64/],
    ['a JPEG', async () => signedBody(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(60)])), 'guardianSignaturePng', 'not_png', {}, /not a PNG/],
    ['a PNG cut short', async () => signedBody(good.subarray(0, good.length - 40)), 'guardianSignaturePng', 'png_damaged', {}, /intact PNG/],
    ['a PNG with a damaged chunk', async () => signedBody(badCrc), 'guardianSignaturePng', 'png_damaged', {}, /intact PNG/],
    ['a PNG with bytes after its end', async () => signedBody(Buffer.concat([good, Buffer.from('<script>')])), 'guardianSignaturePng', 'png_damaged', {}, /intact PNG/],
    ['a 10x10 image', async () => signedBody(plain(10, 10)), 'guardianSignaturePng', 'signature_dimensions', { width: 10, height: 10, ...bounds }, /10x10/],
    ['a 5000x20 image', async () => signedBody(plain(5000, 20)), 'guardianSignaturePng', 'signature_dimensions', { width: 5000, height: 20, ...bounds }, /5000x20/],
    ['an image over the size limit', async () => signedBody(tooLarge), 'guardianSignaturePng', 'signature_too_large', { bytes: tooLarge.length, max: 65536 }, /at most 65536/],
    ['a drawn signature with paper consent', async () => signedBody(good, { guardianConsent: consent({ method: 'paper' }) }), 'guardianConsent.method', 'signature_needs_digital', {}, /digital/],
  ];

  it.each(cases)('%s is a 400 naming the field, and nothing is written', async (_name, build, field, code, params, message) => {
    const body = await build();
    const before = { ...(await loanWriteCounts(t)), signatures: (await t.db.query(`SELECT count(*)::int AS n FROM loan_signatures`)).rows[0].n };
    const res = await issueSigned(body);
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field, code, params, message: expect.stringMatching(message) }]);
    const after = { ...(await loanWriteCounts(t)), signatures: (await t.db.query(`SELECT count(*)::int AS n FROM loan_signatures`)).rows[0].n };
    expect(after).toEqual(before);
  });

  it('says what is wrong in Indonesian when asked', async () => {
    const res = await t.http().post('/api/v1/loans').set('authorization', f.cast.operatorA.auth).set('idempotency-key', randomUUID()).set('accept-language', 'id').send(await signedBody(plain(10, 10)));
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([
      { field: 'guardianSignaturePng', code: 'signature_dimensions', params: { width: 10, height: 10, ...bounds }, message: 'gambar berukuran 10x10 piksel; tanda tangan harus selebar 32-4000 piksel dan setinggi 16-2000 piksel' },
    ]);
  });

  it('the oversized image really is a valid PNG (so the size limit, not the format, refused it)', () => {
    expect(tooLarge.length).toBeGreaterThan(64 * 1024);
    expect(pngjs.PNG.sync.read(tooLarge).width).toBe(400);
  });
});

describe('the signature and the student\'s data rights', () => {
  it('is in the data export, and the retention job removes the image but keeps its hash', async () => {
    const png = drawnSignature(4);
    const body = await signedBody(png);
    const issued = await issueSigned(body);
    expect(issued.status).toBe(201);
    const loanId = issued.body.id;

    const exported = await get(t, f.cast.operatorA, `/api/v1/students/${body.studentId}/data-export`);
    expect(exported.status).toBe(200);
    const loan = exported.body.loans.find((l: { id: string }) => l.id === loanId);
    expect(loan.guardianSignature).toMatchObject({ sha256: sha256(png), pngBase64: png.toString('base64'), byteSize: png.length, width: 600, height: 200, anonymisedAt: null });

    // The student returns the laptop and leaves school three years ago: past the retention period.
    expect((await post(t, f.cast.operatorA, `/api/v1/loans/${loanId}/return`, RETURN_OK, randomUUID())).status).toBe(200);
    await t.db.query(`UPDATE students SET enrolment_status = 'graduated', left_at = current_date - 1100 WHERE id = $1`, [body.studentId]);
    const run = await post(t, f.cast.admin, '/api/v1/students/anonymise-departed');
    expect(run.status).toBe(200);
    expect(run.body.anonymised).toBeGreaterThanOrEqual(1);

    const { rows: [row] } = await t.db.query(`SELECT png, encode(sha256, 'hex') AS sha256, anonymised_at FROM loan_signatures WHERE loan_id = $1`, [loanId]);
    expect(row).toMatchObject({ png: null, sha256: sha256(png), anonymised_at: expect.any(Date) });
    const gone = await get(t, f.cast.operatorA, `/api/v1/loans/${loanId}/signature.png`);
    expectProblem(gone, 404);
    expect(gone.body).toMatchObject({ code: 'signature_removed', params: { sha256: sha256(png) } });

    const pdf = await getBinary(`/api/v1/loans/${loanId}/agreement.pdf`, f.cast.operatorA.auth);
    const { text, pages } = await pdfText(pdf.body);
    expect(text).toContain(`SHA-256 tanda tangan Pihak Kedua: ${sha256(png)}`);
    expect(text).toContain('Tanda tangan digital telah dihapus setelah masa retensi data');
    expect(countPixels(await renderPage(pdf.body, pages.length), { x: 0, y: 0, width: 595, height: 842 }, isBlue)).toBe(0);
  });
});
