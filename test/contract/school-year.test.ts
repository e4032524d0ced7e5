import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { verifyCode } from '../../src/loans/agreement/agreement-number.js';
import { newUser } from '../helpers/factories.js';
import { responseContract } from '../helpers/response-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { schoolYear, type SchoolYearReport } from './client/school-year.js';

// The typed client program (type-checked in typed-client.test.ts) run against the service: every
// operation called as a generated client calls it, every answer checked against openapi.json.
let t: TestApp;
let report: SchoolYearReport;
const violations: string[] = [];
const reached = new Set<string>();

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const admin = await newUser(t, 'program_admin');
  const contract = responseContract();
  const checked = async (request: Request): Promise<Response> => {
    const response = await fetch(request);
    const type = response.headers.get('content-type') ?? undefined;
    const body = type?.includes('json') ? await response.clone().json() : undefined;
    const url = new URL(request.url);
    violations.push(...contract.check(request.method, url.pathname, response.status, type, body));
    const operation = contract.operationOf(request.method, url.pathname);
    if (operation) reached.add(operation);
    return response;
  };
  report = await schoolYear({ baseUrl, admin: { email: admin.email, password: admin.password }, fetch: checked, printedCode: (n) => verifyCode(t.config.verifyLinkSecret, n) });
}, 180_000);
afterAll(() => t?.close());

describe('a school year through the generated client', () => {
  it('gets answers that match the document, every one', () => {
    expect(violations).toEqual([]);
  });

  it('reaches every operation of the document', () => {
    const missing = responseContract().operations().filter((operation) => !reached.has(operation));
    expect(missing).toEqual([]);
  });

  it('did the year: schools, students, loans, agreements, CSV, and problems a client can act on', async () => {
    expect(report.schools).toEqual(expect.arrayContaining(['10299001', '10299002']));
    expect(report.students).toBe(5);
    expect(report.loansIssued).toBe(2);
    expect(report.agreementBytes).toBeGreaterThan(2000);
    expect(report.csvLines).toBeGreaterThan(3);
    expect(report.importErrorLines).toEqual([8]);
    expect(report.ineligibleRules).toEqual(['grade_range:grade_outside:Kelas 6 di luar rentang 7-12']);
    expect(report.indonesianDetail).toBe('Siswa tidak ditemukan');
    // The desk's and the office's operations: allocation reasons, the rule editor, labels, worklists, receipt, evidence pack.
    expect(report.allocationReasons).toEqual(["run:quota_exhausted: The school's quota of 2 is used up (0 allocated before this run, 2 in it)"]);
    expect(report.previewGrade).toBe('eligible grade_within: Grade 6 is within 6-12');
    // Six laptops from the file and the spare, all still in service when the labels were printed.
    expect(report.labelsPrinted).toBe(7);
    expect(report.worklists).toEqual([
      '0099200001:pickup MDN-LPT-2027-0002 (0 days)',
      '0099200002:pickup MDN-LPT-2027-0003 (0 days)',
      '0099200004:leaver MDN-LPT-2027-0005 now at school B',
      '0099200001:charge 1200000',
      '0099200001:charge 15000',
      '0099200001:charge 250000',
    ]);
    expect(report.receiptBytes).toBeGreaterThan(2000);
    expect(report.evidencePackBytes).toBeGreaterThan(2000);
    const { rows } = await t.db.query(`SELECT status, count(*)::int AS n FROM loans GROUP BY status ORDER BY status`);
    expect(rows).toEqual([
      { status: 'returned', n: 2 },
      { status: 'stolen', n: 1 },
    ]);
  });
});
