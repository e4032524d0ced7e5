import { verifyCode } from '../../src/loans/agreement/agreement-number.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StudentAccessLog } from '../../src/students/privacy/student-access-log.js';
import { binary, pdfText, renderPage, scanQr } from '../helpers/pdf.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem, get, issued, newDevice, newFixture, newProgram, newStudent, post, setPriceList, type Fixture } from './loan-fixtures.js';

/**
 * The return receipt (tanda terima pengembalian), read as a person and a scanner would: the PDF's
 * text, and its QR code decoded from the rendered page.
 */

const PUBLIC_BASE_URL = 'https://pinjam.disdik.example.go.id';
let t: TestApp;
let f: Fixture;
let programId: string;

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_BASE_URL, ACCESS_LOG_FLUSH_MS: '60000' });
  f = await newFixture(t);
  programId = (await newProgram(t, f.cast.admin)).id;
  await setPriceList(t, f.cast.admin, programId);
});
afterAll(() => t?.close());

const getPdf = (loanId: string, auth: string) => t.http().get(`/api/v1/loans/${loanId}/return-receipt.pdf`).set('authorization', auth).buffer(true).parse(binary as never);

async function activeLoan() {
  const studentId = await newStudent(t, f.cast.schoolA.id);
  const deviceId = await newDevice(t, f.catalogue, f.cast.schoolA.id, { accessories: { charger: true, bag: true } });
  return issued(t, f.cast.operatorA, { programId, studentId, deviceId });
}

describe('GET /api/v1/loans/{id}/return-receipt.pdf', () => {
  let loan: Awaited<ReturnType<typeof activeLoan>>;
  let pdf: Buffer;
  let device: { asset_tag: string; serial_number: string };
  let student: { full_name: string; nisn: string };

  beforeAll(async () => {
    loan = await activeLoan();
    const returned = await post(t, f.cast.operatorA, `/api/v1/loans/${loan.id}/return`, {
      condition: 'broken',
      checklist: { charger: false, bag: true },
      damageNotes: 'Layar retak di pojok kanan atas',
      nextStatus: 'in_repair',
      damageItems: ['broken_screen'],
      manualCharges: [{ description: 'Stiker permanen', amount: 50_000 }],
    }, randomUUID());
    expect(returned.status).toBe(200);
    expect(returned.body.charges).toHaveLength(3);
    // One charge paid since: the receipt shows each charge's status as it is now.
    const paid = returned.body.charges.find((c: { description: string }) => c.description === 'Stiker permanen');
    expect((await post(t, f.cast.operatorA, `/api/v1/charges/${paid.id}/pay`, { paymentReference: 'KWT-2027-0042' })).status).toBe(200);
    const res = await getPdf(loan.id, f.cast.operatorA.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['content-disposition']).toBe(`inline; filename="tanda-terima-${loan.agreementNumber}.pdf"`);
    pdf = res.body;
    device = (await t.db.query(`SELECT asset_tag, serial_number FROM devices WHERE id = $1`, [loan.deviceId])).rows[0];
    student = (await t.db.query(`SELECT full_name, nisn FROM students WHERE id = $1`, [loan.studentId])).rows[0];
  });

  it('says in Indonesian what came back, its condition, the charges, and who received it', async () => {
    const { text, pages } = await pdfText(pdf);
    expect(pages).toHaveLength(1);
    for (const expected of [
      'TANDA TERIMA PENGEMBALIAN',
      `Perjanjian Pinjam Pakai Nomor ${loan.agreementNumber}`,
      student.full_name,
      student.nisn,
      device.asset_tag,
      device.serial_number,
      'Kondisi : Rusak',
      'Pengisi daya (charger): tidak dikembalikan',
      'Tas laptop: dikembalikan',
      'Layar retak di pojok kanan atas',
      'Dikirim untuk perbaikan',
      'Charger tidak dikembalikan : Rp 250.000 (Belum dibayar)',
      'Layar pecah : Rp 1.200.000 (Belum dibayar)',
      'Stiker permanen : Rp 50.000 (Lunas)',
      'Jumlah tagihan : Rp 1.500.000',
      'Belum dibayar : Rp 1.450.000',
      'Diterima oleh : Test school_admin',
      'Yang menyerahkan',
      'Yang menerima',
      `${PUBLIC_BASE_URL}/api/v1/agreements/${loan.agreementNumber}/verify`,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('has a QR code that scans to the public verification of the agreement', async () => {
    const scanned = scanQr(await renderPage(pdf));
    expect(scanned).toBe(`${PUBLIC_BASE_URL}/api/v1/agreements/${loan.agreementNumber}/verify?c=${verifyCode(t.config.verifyLinkSecret, loan.agreementNumber)}`);
    const verify = await t.http().get(new URL(scanned!).pathname + new URL(scanned!).search);
    expect(verify.body).toMatchObject({ agreementNumber: loan.agreementNumber, valid: true, status: 'returned' });
  });

  it('says so when nothing was charged', async () => {
    const clean = await activeLoan();
    expect((await post(t, f.cast.operatorA, `/api/v1/loans/${clean.id}/return`, { condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' }, randomUUID())).status).toBe(200);
    const { text } = await pdfText((await getPdf(clean.id, f.cast.auditor.auth)).body);
    expect(text).toContain('Tidak ada tagihan atas pengembalian ini.');
    expect(text).toContain('Kondisi : Baik');
    expect(text).toContain('Kembali ke stok sekolah');
  });

  it('is a 409 for a loan not returned, a 404 for another school, and is noted in the access log', async () => {
    const open = await activeLoan();
    const res = await get(t, f.cast.operatorA, `/api/v1/loans/${open.id}/return-receipt.pdf`);
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ code: 'no_return_receipt', params: { status: 'active' }, currentStatus: 'active', detail: 'There is no return receipt: the loan is active, not returned' });
    const inIndonesian = await t.http().get(`/api/v1/loans/${open.id}/return-receipt.pdf`).set('authorization', f.cast.operatorA.auth).set('accept-language', 'id');
    expect(inIndonesian.body.detail).toBe('Belum ada tanda terima pengembalian: pinjaman berstatus active, belum dikembalikan');
    for (const [user, id] of [[f.cast.operatorB, loan.id], [f.cast.operatorA, randomUUID()]] as const) {
      const missing = await get(t, user, `/api/v1/loans/${id}/return-receipt.pdf`);
      expectProblem(missing, 404);
      expect(missing.body.code).toBe('loan_not_found');
    }

    const log = t.app.get(StudentAccessLog);
    await log.flush();
    expect((await getPdf(loan.id, f.cast.admin.auth)).status).toBe(200);
    await log.flush();
    const { rows } = await t.db.query(`SELECT student_id FROM student_access_log WHERE actor_id = $1 AND operation = 'loan.return-receipt-pdf'`, [f.cast.admin.id]);
    expect(rows).toEqual([{ student_id: loan.studentId }]);
  });
});
