import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jsQRModule from 'jsqr';
import { randomInt, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Response } from 'supertest';
import { ConfigError } from '../../src/config/environment.js';
import { agreementNumberFromQr, agreementQrPayload, verifyCode } from '../../src/loans/agreement/agreement-number.js';
import { newBatch, newDevice, newModel } from '../devices/device-helpers.js';
import { newCast, type TestUser } from '../helpers/factories.js';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.js';

/**
 * The agreement PDF and its public verification, over HTTP against a real database: the PDF is
 * parsed (pdfjs), its first page rendered and the QR code decoded (jsqr), as a scanner would.
 */

// jsqr is CommonJS with types declaring an ES default export: take whichever this loader hands over.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

const PUBLIC_BASE_URL = 'https://pinjam.disdik.example.go.id';
const TERMS_V1 =
  'Perangkat tetap milik Pemerintah Kota.\n\nSiswa wajib membawa laptop ke sekolah setiap hari Senin untuk pemeriksaan berkala oleh operator.\n\nKerusakan karena kelalaian diganti sesuai daftar harga program.';
const TERMS_V2 = 'Versi kedua. Laptop wajib diisi daya di rumah dan tidak boleh dibawa ke warung internet.';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let program: { id: string; code: string };
let batch: { id: string; modelId: string };
let model: { manufacturer: string; model: string };

beforeAll(async () => {
  // A trailing slash in the setting must not double up in the QR code's URL.
  t = await startTestApp({ PUBLIC_BASE_URL: `${PUBLIC_BASE_URL}/` });
  cast = await newCast(t);
  const res = await t
    .http()
    .post('/api/v1/programs')
    .set('authorization', cast.admin.auth)
    .send({
      code: programCode(),
      name: 'Laptop Pelajar 2027',
      startsOn: '2020-01-01',
      endsOn: '2099-12-31',
      loanDueDate: '2099-06-30',
      rules: { grades: { min: 7, max: 12 }, schoolLevels: ['SMP', 'SMA'], residencyRequired: true },
      termsText: TERMS_V1,
    });
  expect(res.status).toBe(201);
  program = res.body;
  model = await newModel(t, cast.admin, { manufacturer: 'Axioo', category: 'laptop' });
  batch = await newBatch(t, cast.admin, (model as unknown as { id: string }).id);
});
afterAll(() => t?.close());

/** A fresh program code: 2-6 capital letters. */
function programCode(): string {
  let n = randomInt(26 ** 5);
  let s = '';
  for (let i = 0; i < 5; i++, n = Math.floor(n / 26)) s += String.fromCharCode(65 + (n % 26));
  return s;
}

interface Issued {
  loan: { id: string; agreementNumber: string; termsVersion: number; dueDate: string; issuedAt: string };
  student: { id: string; nisn: string; fullName: string };
  device: { id: string; assetTag: string; serialNumber: string };
  guardian: { name: string; phone: string };
}

/** A student and an in-stock device at school A, and a loan issued to them by A's operator. */
async function issueLoan(): Promise<Issued> {
  const nisn = String(randomInt(1_000_000_000, 9_999_999_999));
  const studentRes = await t
    .http()
    .post('/api/v1/students')
    .set('authorization', cast.admin.auth)
    .send({ nisn, fullName: `Rahmat Hidayat ${randomUUID().slice(0, 6)}`, schoolId: cast.schoolA.id, grade: 8, className: '8B', dateOfBirth: '2013-05-17', resident: true });
  expect(studentRes.status).toBe(201);
  const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id, accessories: { charger: true, bag: true, mouse: false } });
  const guardian = { name: `Sri Wahyuni ${randomUUID().slice(0, 6)}`, phone: `+62812${randomInt(10_000_000, 99_999_999)}` };
  const res = await t
    .http()
    .post('/api/v1/loans')
    .set('authorization', cast.operatorA.auth)
    .set('idempotency-key', randomUUID())
    .send({
      programId: program.id,
      studentId: studentRes.body.id,
      deviceId: device.id,
      guardianConsent: { name: guardian.name, relation: 'mother', phone: guardian.phone, signedAt: '2026-01-20T09:30:00+07:00', method: 'paper' },
    });
  expect(res.status).toBe(201);
  return { loan: res.body, student: studentRes.body, device, guardian };
}

const binary = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

function getPdf(loanId: string, user: TestUser | null) {
  const req = t.http().get(`/api/v1/loans/${loanId}/agreement.pdf`);
  if (user) req.set('authorization', user.auth);
  return req.buffer(true).parse(binary as never);
}

const STANDARD_FONTS = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

function openPdf(content: Buffer) {
  return getDocument({ data: new Uint8Array(content), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
}

/** Every page's text, whitespace collapsed, so a sentence that wraps still reads as one. */
async function pdfText(content: Buffer): Promise<{ text: string; pages: number }> {
  const pdf = await openPdf(content);
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const page = await pdf.getPage(i);
    const items = (await page.getTextContent()).items as { str?: string; hasEOL?: boolean }[];
    pages.push(items.map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : ' ')).join(''));
  }
  await pdf.destroy();
  return { text: pages.join('\n').replace(/\s+/g, ' '), pages: pdf.numPages };
}

/** Renders page 1 as a scanner would see it and decodes the QR code on it. */
async function scanQr(content: Buffer): Promise<string | undefined> {
  const pdf = await openPdf(content);
  const page = await pdf.getPage(1);
  const viewport = page.getViewport({ scale: 2 });
  // pdfjs draws on @napi-rs/canvas in Node (its optional dependency); no browser needed.
  const factory = (pdf as unknown as { canvasFactory: { create(w: number, h: number): { canvas: unknown; context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number } } } } }).canvasFactory;
  const { canvas, context } = factory.create(viewport.width, viewport.height);
  await page.render({ canvas, canvasContext: context, viewport } as never).promise;
  const image = context.getImageData(0, 0, viewport.width, viewport.height);
  await pdf.destroy();
  return jsQR(image.data, image.width, image.height)?.data;
}

describe('GET /api/v1/loans/{id}/agreement.pdf', () => {
  let issued: Issued;
  let pdf: Buffer;

  beforeAll(async () => {
    issued = await issueLoan();
    const res = await getPdf(issued.loan.id, cast.operatorA);
    expect(res.status).toBe(200);
    pdf = res.body;
  });

  it('answers a PDF named after the agreement number, not cached', async () => {
    const res = await getPdf(issued.loan.id, cast.operatorA);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${issued.loan.agreementNumber}.pdf"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(issued.loan.agreementNumber).toMatch(new RegExp(`^${program.code}-2020-\\d{6}$`));
  });

  it('carries the parties, the device, the signed terms and the due date, in Indonesian', async () => {
    const { text } = await pdfText(pdf);
    for (const expected of [
      'PERJANJIAN PINJAM PAKAI',
      'Perjanjian Pinjam Pakai Nomor',
      `Nomor: ${issued.loan.agreementNumber}`,
      'Dinas Pendidikan',
      'Laptop Pelajar 2027',
      issued.student.fullName,
      issued.student.nisn,
      `${cast.schoolA.name} (NPSN ${cast.schoolA.npsn})`,
      '8 (8B)',
      issued.guardian.name,
      'Ibu',
      issued.guardian.phone,
      'Tanda tangan di atas kertas',
      '20 Januari 2026 pukul 09.30 WIB',
      `${model.manufacturer} ${model.model}`,
      issued.device.assetTag,
      issued.device.serialNumber,
      'Pengisi daya (charger)',
      'Tas laptop',
      'Mouse (tidak disertakan)',
      'Syarat dan Ketentuan (versi 1)',
      'Siswa wajib membawa laptop ke sekolah setiap hari Senin untuk pemeriksaan berkala oleh operator.',
      'Kerusakan karena kelalaian diganti sesuai daftar harga program.',
      '30 Juni 2099',
      'Orang Tua/Wali Siswa',
      'Operator Sekolah',
      'Stempel Sekolah',
      // The operator who issued it, by name, under the school's signature line.
      'Test school_admin',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('has a QR code that scans to the public verification URL, which answers for this agreement', async () => {
    const scanned = await scanQr(pdf);
    const url = `${PUBLIC_BASE_URL}/api/v1/agreements/${issued.loan.agreementNumber}/verify?c=${verifyCode(t.config.verifyLinkSecret, issued.loan.agreementNumber)}`;
    expect(scanned).toBe(url);
    expect(agreementQrPayload(t.config.publicBaseUrl, issued.loan.agreementNumber, t.config.verifyLinkSecret)).toBe(url);
    expect(agreementNumberFromQr(scanned!)).toBe(issued.loan.agreementNumber);

    const scannedUrl = new URL(scanned!);
    const res = await t.http().get(scannedUrl.pathname + scannedUrl.search);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agreementNumber: issued.loan.agreementNumber, valid: true, status: 'active' });
  });

  it('keeps the terms as signed after the program publishes new ones; new loans get the new terms', async () => {
    const published = await t
      .http()
      .post(`/api/v1/programs/${program.id}/terms`)
      .set('authorization', cast.admin.auth)
      .set('idempotency-key', randomUUID())
      .send({ text: TERMS_V2 });
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(2);

    const again = await getPdf(issued.loan.id, cast.operatorA);
    expect(again.status).toBe(200);
    const old = await pdfText(again.body);
    expect(old.text).toContain('Syarat dan Ketentuan (versi 1)');
    expect(old.text).toContain('Siswa wajib membawa laptop ke sekolah setiap hari Senin');
    expect(old.text).not.toContain('Versi kedua');
    expect(old.text).not.toContain('versi 2');

    const next = await issueLoan();
    expect(next.loan.termsVersion).toBe(2);
    const fresh = await pdfText((await getPdf(next.loan.id, cast.operatorA)).body);
    expect(fresh.text).toContain('Syarat dan Ketentuan (versi 2)');
    expect(fresh.text).toContain(TERMS_V2);
    expect(fresh.text).not.toContain('setiap hari Senin');
  });

  it('is readable by the program office and auditors, and a 404 for another school', async () => {
    expect((await getPdf(issued.loan.id, cast.admin)).status).toBe(200);
    expect((await getPdf(issued.loan.id, cast.auditor)).status).toBe(200);

    const other = await t.http().get(`/api/v1/loans/${issued.loan.id}/agreement.pdf`).set('authorization', cast.operatorB.auth);
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.text).not.toContain(issued.loan.agreementNumber);
    const absent = await t.http().get(`/api/v1/loans/${randomUUID()}/agreement.pdf`).set('authorization', cast.operatorB.auth);
    expect(absent.status).toBe(404);
    expect({ ...other.body, instance: undefined, requestId: undefined }).toEqual({ ...absent.body, instance: undefined, requestId: undefined });
  });

  it('needs credentials and a UUID', async () => {
    const anonymous = await t.http().get(`/api/v1/loans/${issued.loan.id}/agreement.pdf`);
    expect(anonymous.status).toBe(401);
    const malformed = await t.http().get('/api/v1/loans/not-a-uuid/agreement.pdf').set('authorization', cast.admin.auth);
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('GET /api/v1/agreements/{number}/verify', () => {
  let issued: Issued;
  /** The printed link's path and query, as the QR code carries it. */
  const link = (number: string, code = verifyCode(t.config.verifyLinkSecret, number.toUpperCase())) => `/api/v1/agreements/${number}/verify?c=${code}`;

  beforeAll(async () => {
    issued = await issueLoan();
  });

  it('answers the printed link without credentials, with only what a finder needs: genuine, status, the school', async () => {
    const res = await t.http().get(link(issued.loan.agreementNumber));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agreementNumber: issued.loan.agreementNumber, valid: true, status: 'active', school: { name: cast.schoolA.name } });
    for (const personal of [issued.student.fullName, issued.student.nisn, issued.student.id, issued.guardian.name, issued.guardian.phone, 'Rahmat', 'Wahyuni', '2099-06-30']) {
      expect(res.text).not.toContain(personal);
    }
  });

  it('accepts a number typed in lower case (with its code)', async () => {
    const res = await t.http().get(link(issued.loan.agreementNumber.toLowerCase()));
    expect(res.status).toBe(200);
    expect(res.body.agreementNumber).toBe(issued.loan.agreementNumber);
  });

  it('cannot be walked: a real number without its code, with a wrong code, or with the next number\'s code answers exactly like an unknown number', async () => {
    const unknown = await t.http().get(link(`${program.code}-2020-999999999`));
    const answers = [
      await t.http().get(`/api/v1/agreements/${issued.loan.agreementNumber}/verify`),
      await t.http().get(link(issued.loan.agreementNumber, 'AAAAAAAAAAAAAAAA')),
      await t.http().get(link(issued.loan.agreementNumber, verifyCode(t.config.verifyLinkSecret, `${issued.loan.agreementNumber}0`))),
      unknown,
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'agreement_not_found', valid: false });
      expect(res.text).not.toContain(cast.schoolA.name);
    }
  });

  it('follows the loan: a returned device shows as returned', async () => {
    const returned = await t
      .http()
      .post(`/api/v1/loans/${issued.loan.id}/return`)
      .set('authorization', cast.operatorA.auth)
      .set('idempotency-key', randomUUID())
      .send({ condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' });
    expect(returned.status).toBe(200);
    const res = await t.http().get(link(issued.loan.agreementNumber));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, status: 'returned' });
  });

  it('answers 404 with valid: false for an unknown number', async () => {
    const number = `${program.code}-2020-999999999`;
    const res = await t.http().get(link(number));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, type: 'urn:laptop-loans:problem:not-found', agreementNumber: number, valid: false });
  });

  it.each(['garbage', 'MDN-27-000123', 'MDN-2027-12', 'TOOLONGCODE-2027-000123', 'MDN-2027-000123x', `MDN-2027-${'1'.repeat(40)}`, "MDN-2027-000123' OR '1'='1"])(
    'refuses %j as malformed (400)',
    async (number) => {
      const res = await t.http().get(`/api/v1/agreements/${encodeURIComponent(number)}/verify`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([{ field: 'number', code: 'not_agreement_number', params: {}, message: expect.stringContaining('agreement number') }]);
    },
  );
});

describe('PUBLIC_BASE_URL', () => {
  it('defaults to localhost on the configured port and drops a trailing slash', () => {
    expect(testConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
    expect(testConfig({}).publicBaseUrl).toBe('http://localhost:3000');
    expect(testConfig({ PUBLIC_BASE_URL: 'https://kota.example.go.id/laptop/' }).publicBaseUrl).toBe('https://kota.example.go.id/laptop');
    expect(t.config.publicBaseUrl).toBe(PUBLIC_BASE_URL);
  });

  it.each(['ftp://example.go.id', 'example.go.id', 'https://example.go.id/?x=1', 'https://exa mple.go.id'])('refuses %j', (value) => {
    expect(() => testConfig({ PUBLIC_BASE_URL: value })).toThrow(ConfigError);
    expect(() => testConfig({ PUBLIC_BASE_URL: value })).toThrow(/^Invalid configuration: PUBLIC_BASE_URL /);
  });
});
