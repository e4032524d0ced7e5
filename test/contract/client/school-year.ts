import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/api.js';

/**
 * A school year through the API, as a client generated from openapi.json drives it: every
 * operation, with the bodies a program office and a school would send, reading the documented
 * fields of the answers, errors included. It must type-check against the generated types with no
 * casts and no `any` (test/contract/typed-client.test.ts), and it runs against the service
 * (test/contract/school-year.test.ts), so the types and the answers are both the contract's.
 */

type Api = Client<paths>;
type Schemas = components['schemas'];

export interface SchoolYearOptions {
  baseUrl: string;
  /** A program administrator who can log in. */
  admin: { email: string; password: string };
  /** The fetch the clients use (the test checks every answer through it). */
  fetch: (request: Request) => Promise<Response>;
  /** The code a printed agreement's link carries for a number (a phone reads it from the QR code). */
  printedCode: (agreementNumber: string) => string;
}

/** What the year produced, for the test to check against the database and the document. */
export interface SchoolYearReport {
  schools: string[];
  students: number;
  loansIssued: number;
  agreementBytes: number;
  csvLines: number;
  indonesianDetail: string;
  ineligibleRules: string[];
  importErrorLines: number[];
  /** `code: message` of every reason the dry run under a tight quota gave. */
  allocationReasons: string[];
  /** The draft grade rule's outcome for the grade 6 student, as `code: reason`. */
  previewGrade: string;
  labelsPrinted: number;
  /** `loanId:reason` of each student on the school's worklists when they were read. */
  worklists: string[];
  receiptBytes: number;
  evidencePackBytes: number;
}

/** An answer's body, or an error naming the documented problem (`code`, `detail`) when refused. */
function ok<T, E extends { status: number; code: string; detail: string }>(result: { data?: T; error?: E; response: Response }, what: string): T {
  if (result.error !== undefined) throw new Error(`${what}: ${result.error.status} ${result.error.code}: ${result.error.detail}`);
  if (result.data === undefined) throw new Error(`${what}: ${result.response.status} with no body`);
  return result.data;
}

/** The documented problem of a refused request; an error when the request was not refused with `status`. */
function refused<E extends { status: number }>(result: { data?: unknown; error?: E; response: Response }, status: number, what: string): E {
  if (result.error === undefined || result.error.status !== status) throw new Error(`${what}: expected ${status}, got ${result.response.status}`);
  return result.error;
}

/** A value the year needs, present. */
function present<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what}: missing`);
  return value;
}

/*
 * Which documented subtype a problem is, from what the document says tells them apart (the
 * status, the code). Reading a subtype's fields after these does not compile when the schema
 * loses them; `'field' in problem` would compile whatever the schema says.
 */
type Problem = { status: number; code: string };
const isConflict = (problem: Problem): problem is Schemas['ConflictProblem'] => problem.status === 409;
const isNotEligible = (problem: Problem): problem is Schemas['NotEligibleProblem'] => problem.code === 'not_eligible';
const isImportRefused = (problem: Problem): problem is Schemas['ImportProblem'] => problem.code === 'rows_rejected';
const isUnknownAgreement = (problem: Problem): problem is Schemas['AgreementNotFoundProblem'] => problem.code === 'agreement_not_found';

const today = () => new Date().toISOString().slice(0, 10);
let keys = 0;
/** A fresh Idempotency-Key, as a careful client sends with every creating POST. */
const key = () => `school-year-${Date.now()}-${++keys}`;
/** `If-Match` from a record's version, as its ETag says. */
const ifMatch = (version: number) => `"${version}"`;

function client(options: SchoolYearOptions, token?: string, language?: string): Api {
  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  api.use({
    onRequest({ request }) {
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      if (language) request.headers.set('Accept-Language', language);
      return request;
    },
  });
  return api;
}

async function logIn(options: SchoolYearOptions, email: string, password: string): Promise<string> {
  const session = ok(await client(options).POST('/api/v1/auth/login', { body: { email, password } }), 'log in');
  if (session.tokenType !== 'Bearer' || session.expiresIn <= 0) throw new Error('log in: not a bearer token');
  return session.accessToken;
}

const consent = (name: string, method: Schemas['GuardianConsent']['method'] = 'paper'): Schemas['GuardianConsent'] => ({ name, relation: 'mother', phone: '081234567890', signedAt: new Date().toISOString(), method });

/** A guardian's signature as a signature pad on the desk's tablet sends it: a small PNG, base64. */
const SIGNATURE_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAGAAAAAgCAYAAADtwH1UAAAABHNCSVQICAgIfAhkiAAAAAFzUkdCAK7OHOkAAAS5SURBVGiB7ZhdbBRVFMd/93bBFO0HlGDsbqXJTlvRCD4YtTEC5asBDVIrATFgIhhFnoiSKMjsdMHwgNaPiD6Q1BiFAMqXIAbxo0WjECE8SFDsLGnY7iZYbaGlVGh3jg9bCJoWtnSnrTq/t8mce84/9z93zr0XPDw8PDw8PDz+j6jBFtATlmXpmk0UOoo7xHFKEEpQqgSREqBJo0PRiLVrsHWmgyFnQKAofL/jdG0BCq8ZqDiWAVVRO7x7wMS5wJAywB80Vwms7X68gKJBiWpA0SBIEwCiMlHyNMLo7rgjOkOHGn+19g2a8H4wJAwIFK/1O86lzQgTAZTi9ZgdfrHX+NLqTOe31mUKZ6XASACF+vqm3MzHTh196dxAau8vg25AoNiskAQ1ArkKzqL1wli9tTelsaXVmdJ09jmBld0r4qRSelrMthrdV54eBtWAgGG+4wjLuoX8KAyvjEdeifY1T+E9Vm7neWe/CPcBZ3xKTzltWydcEZ1mBs2AfCO0CZEFAEqpN2N21fL+5AuUVmc6Ted2ITIDaAU9Mx6xvk+bYJcYFAP8QXOLwDwFf2rFnKgd3p+u3PlBczPwBNCBYl7cDu9JV2430ANd0G+EtgrMQ3FefL5p6Zx8gHgkvEArNgCZCJ8GDHNxOvNfj4BhTc43QilvjTPclfN38oPmDuBxFO2ILo/Xh1z5RbQ21+3LHlWWAJkiMDs7b1JrW3PdITdqXU0gaM50kANASao1B8yA/GBoJ1CBol3hmx6PhH5ws15bS+3B7NFlZxB5BCjPyiuTtubaOrfqBYrMSkfYTbKnbYvZ4RdSGTcgBviDofdB5qNoU+jpMTvk+tcI0NZceyQ7b9IpoAKkLGf05Ftam+sOpLtOwDCfdIQtJJvq1lgkPD/Vsa424dvvXjeyq6NjF8JEFG1a+aY31puH3azZEwVBa04CZyfJQ957MTv8fLpyBwxriSPOxmRu9VHMrlrYl/GurYCxRWvGdV26eBCYADT4lG9q1DaPuVXvWrS21P6SmzfpkEAlUJo9anJhW0tdv++Q/EFrkeDUkPySP4hFwk/1NYcrK6DAMMsT8DFCloKvMkZkzj3908stbtTqk67i8EMJp+szhCylOKyH6SXRn63jfc0THG+N6bggb1w+x6BUTdyuuqHdVq8G5BuhzxV8mzNcvX3ihHU+1YR+w1wuQjVpOmClm4IS616ny/lSIAdAKzYMzxmxKtU7JH+R+awI6xGyALRWrzXWV624UT09GuA3rAdEnMu7lJMovstAb4va1he9xAdQzsMIU0WYS/Jfuyhmhz+8UWFuMnbcq7d1dl5cg7CYpNZmQa+O29a7vY4pWjOu0+ncCDxIcuKOK+1b0t+e1qMB48evv/n39val4KwAxlwVfFYU27XoT1C6Q+gqB2aJMOFKjCKeIb7ZpyPm0f4IGwhuN6w7EyLrBZlF96SKYvs/4xSMEWHplWfFypgdXpcODdftAQWGNcMRqRCkAri1lyx/KFHb0WpPqjeZQwl/sTlVErwF3HWtOAXfaDXsmai9OpKu2n1qwn4jXCp0PaqESoGEUuwQ0Xv/DZdeqeA3zIUCwZ7eaahvtMObBl6Vh4eHh4eHh8d/kb8A2NXDePvdfXYAAAAASUVORK5CYII=';

/** The bytes of a base64 string, as a browser decodes it. */
const fromBase64 = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const hex = (digest: ArrayBuffer) => [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
/** The first bytes of a file, to see what it is. */
const magic = (file: ArrayBuffer, length: number) => String.fromCharCode(...new Uint8Array(file.slice(0, length)));

export async function schoolYear(options: SchoolYearOptions): Promise<SchoolYearReport> {
  const anonymous = client(options);

  // Operations: the probes and the metrics scrape.
  const live = ok(await anonymous.GET('/health/live'), 'live');
  const ready = ok(await anonymous.GET('/health/ready'), 'ready');
  if (live.status !== 'ok' || ready.details.database?.status !== 'up') throw new Error('the service is not ready');
  const metrics = ok(await anonymous.GET('/metrics', { parseAs: 'text' }), 'metrics');
  if (!metrics.includes('http_requests_total')) throw new Error('metrics: no request counter');

  // Logging in: a wrong password is a 401 problem; the right one a token.
  const wrong = refused(await anonymous.POST('/api/v1/auth/login', { body: { email: options.admin.email, password: 'not the password' } }), 401, 'wrong password');
  if (wrong.code !== 'login_failed') throw new Error(`wrong password: ${wrong.code}`);
  const admin = client(options, await logIn(options, options.admin.email, options.admin.password));
  const me = ok(await admin.GET('/api/v1/auth/me'), 'me');
  if (me.role !== 'program_admin') throw new Error('me: not a program administrator');
  // A second session, logged out: its token is refused from then on; the first one still works.
  const laptop = client(options, await logIn(options, options.admin.email, options.admin.password));
  const logout = await laptop.POST('/api/v1/auth/logout');
  if (logout.response.status !== 204) throw new Error(`log out: ${logout.response.status}`);
  const loggedOut = refused(await laptop.GET('/api/v1/auth/me'), 401, 'logged-out token');
  if (loggedOut.code !== 'token_revoked') throw new Error(`logged-out token: ${loggedOut.code}`);

  // Schools.
  const schoolA = ok(
    await admin.POST('/api/v1/schools', { params: { header: { 'Idempotency-Key': key() } }, body: { npsn: '10299001', name: 'SMP Negeri 99 Medan', level: 'SMP', district: 'Medan Petisah' } }),
    'school A',
  );
  const schoolB = ok(await admin.POST('/api/v1/schools', { body: { npsn: '10299002', name: 'SMP Negeri 98 Medan', level: 'SMP', district: 'Medan Baru', address: 'Jl. Sei Batang Hari No. 5' } }), 'school B');
  const duplicate = refused(await admin.POST('/api/v1/schools', { body: { npsn: '10299001', name: 'Copy', level: 'SMP', district: 'Medan Petisah' } }), 409, 'duplicate NPSN');
  if (duplicate.errors?.[0]?.code !== 'npsn_taken') throw new Error('duplicate NPSN: no field error');
  const schools = ok(await admin.GET('/api/v1/schools', { params: { query: { limit: 10, level: 'SMP', q: 'Medan' } } }), 'schools');
  ok(await admin.GET('/api/v1/schools/{id}', { params: { path: { id: schoolA.id } } }), 'school A again');
  const renamed = ok(
    await admin.PATCH('/api/v1/schools/{id}', { params: { path: { id: schoolA.id }, header: { 'If-Match': ifMatch(schoolA.version) } }, body: { address: 'Jl. Gatot Subroto No. 12' } }),
    'school A address',
  );
  const stale = refused(
    await admin.PATCH('/api/v1/schools/{id}', { params: { path: { id: schoolA.id }, header: { 'If-Match': ifMatch(schoolA.version) } }, body: { address: 'Jl. Lain' } }),
    409,
    'stale school',
  );
  if (!isConflict(stale) || stale.currentVersion !== renamed.version) throw new Error('stale school: currentVersion');

  // Users: a school operator and an auditor.
  const operatorPassword = 'operator-password-2027';
  const operator = ok(
    await admin.POST('/api/v1/users', { body: { email: 'operator@smpn99.sch.id', name: 'Operator SMPN 99', password: operatorPassword, role: 'school_admin', schoolId: schoolA.id } }),
    'operator',
  );
  const auditorUser = ok(await admin.POST('/api/v1/users', { body: { email: 'auditor@inspektorat.go.id', name: 'Auditor', password: 'auditor-password-2027', role: 'auditor' } }), 'auditor');
  ok(await admin.GET('/api/v1/users', { params: { query: { role: 'school_admin', schoolId: schoolA.id } } }), 'users');
  ok(await admin.GET('/api/v1/users/{id}', { params: { path: { id: operator.id } } }), 'operator again');
  ok(await admin.PATCH('/api/v1/users/{id}', { params: { path: { id: auditorUser.id }, header: { 'If-Match': ifMatch(auditorUser.version) } }, body: { name: 'Auditor Inspektorat' } }), 'auditor name');
  const school = client(options, await logIn(options, operator.email, operatorPassword));
  const auditor = client(options, await logIn(options, auditorUser.email, 'auditor-password-2027'));
  const readOnly = refused(await auditor.POST('/api/v1/schools', { body: { npsn: '10299003', name: 'X', level: 'SD', district: 'X' } }), 403, 'auditor write');
  if (readOnly.code !== 'auditor_read_only') throw new Error(`auditor write: ${readOnly.code}`);

  // API keys for another city system.
  const apiKey = ok(await admin.POST('/api/v1/api-keys', { body: { name: 'Dapodik sync', role: 'school_admin', schoolId: schoolA.id } }), 'API key');
  if (!apiKey.key?.startsWith('llk_')) throw new Error('API key: no key shown');
  ok(await admin.GET('/api/v1/api-keys', { params: { query: { revoked: 'false' } } }), 'API keys');
  ok(await admin.GET('/api/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } }), 'API key again');
  const revoked = ok(await admin.POST('/api/v1/api-keys/{id}/revoke', { params: { path: { id: apiKey.id } } }), 'revoke');
  if (revoked.revokedAt === null) throw new Error('revoke: not revoked');

  // Stock: a model, a batch, devices by CSV and one by hand.
  const model = ok(
    await admin.POST('/api/v1/device-models', { body: { manufacturer: 'Axioo', model: 'MyBook 14E', category: 'laptop', specs: { cpu: 'Intel N100', ramGb: 8, storageGb: 256 } } }),
    'model',
  );
  ok(await admin.GET('/api/v1/device-models', { params: { query: { category: 'laptop' } } }), 'models');
  ok(await admin.GET('/api/v1/device-models/{id}', { params: { path: { id: model.id } } }), 'model again');
  ok(await admin.PATCH('/api/v1/device-models/{id}', { params: { path: { id: model.id }, header: { 'If-Match': ifMatch(model.version) } }, body: { specs: { cpu: 'Intel N100', ramGb: 8 } } }), 'model specs');
  const batch = ok(
    await admin.POST('/api/v1/procurement-batches', {
      body: { contractRef: 'SPK/027/DISDIK/2027', fundingSource: 'APBD Kota Medan 2027', receivedOn: '2027-06-15', unitCost: 6_250_000, quantity: 100, modelId: model.id },
    }),
    'batch',
  );
  ok(await admin.GET('/api/v1/procurement-batches', { params: { query: { modelId: model.id } } }), 'batches');
  ok(await admin.GET('/api/v1/procurement-batches/{id}', { params: { path: { id: batch.id } } }), 'batch again');

  const deviceCsv = ['asset_tag,serial_number,contract_ref,school_npsn,condition,accessories', ...[1, 2, 3, 4, 5, 6].map((n) => `MDN-LPT-2027-000${n},AXB14E2027000${n},SPK/027/DISDIK/2027,10299001,new,charger;bag`)].join('\n');
  // The imports take the file as the text/csv body (or multipart); this client sends text.
  const csvUpload = { bodySerializer: (body: string | { file: string }) => (typeof body === 'string' ? body : body.file), headers: { 'Content-Type': 'text/csv' } };
  const badImport = refused(
    await admin.POST('/api/v1/devices/import', { ...csvUpload, body: `${deviceCsv}\nMDN-LPT-2027-0009,AXB14E20270009,SPK/027/DISDIK/2027,1029900,new,charger\n` }),
    422,
    'bad device file',
  );
  if (!isImportRefused(badImport) || badImport.rejected !== 1 || badImport.errorsTruncated) throw new Error('bad device file: not one row refused');
  const importErrorLines = badImport.errors.map((e) => e.line);
  const imported = ok(await admin.POST('/api/v1/devices/import', { ...csvUpload, params: { query: { mode: 'all-or-nothing' }, header: { 'Idempotency-Key': key() } }, body: deviceCsv }), 'device file');
  if (imported.imported !== 6 || imported.errors.length !== 0) throw new Error('device file: not every row imported');
  const spare = ok(await admin.POST('/api/v1/devices', { body: { assetTag: 'MDN-LPT-2027-0100', serialNumber: 'AXB14E20270100', modelId: model.id, batchId: batch.id, accessories: { charger: true } } }), 'device');
  const devices = ok(await admin.GET('/api/v1/devices', { params: { query: { schoolId: schoolA.id, status: 'in_stock', limit: 50 } } }), 'devices').items;
  const [d1, d2, d3, d4, d5, d6] = devices.map((d) => d.id);
  if (!d1 || !d2 || !d3 || !d4 || !d5 || !d6) throw new Error('devices: fewer than six at school A');
  ok(await school.GET('/api/v1/devices/lookup', { params: { query: { code: 'mdn-lpt-2027-0001' } } }), 'lookup');
  ok(await admin.GET('/api/v1/devices/stock', { params: { query: { schoolId: schoolA.id } } }), 'stock');
  ok(await auditor.GET('/api/v1/devices/reconciliation'), 'reconciliation');
  // Labels for the batch's laptops, to stick on before they go out.
  const labels = await admin.GET('/api/v1/devices/labels.pdf', { params: { query: { batchId: batch.id, layout: '2x7' } }, parseAs: 'arrayBuffer' });
  if (magic(ok(labels, 'labels'), 5) !== '%PDF-' || labels.response.headers.get('X-Labels-Next-After') !== null) throw new Error('labels: not one complete PDF');
  const labelsPrinted = Number(labels.response.headers.get('X-Labels-Count'));
  const spareNow = ok(await admin.GET('/api/v1/devices/{id}', { params: { path: { id: spare.id } } }), 'spare');
  const spareMoved = ok(
    await admin.POST('/api/v1/devices/{id}/transfer', { params: { path: { id: spare.id }, header: { 'If-Match': ifMatch(spareNow.version) } }, body: { toSchoolId: schoolB.id, reason: 'Kekurangan unit di SMPN 98' } }),
    'transfer',
  );
  ok(await admin.PATCH('/api/v1/devices/{id}', { params: { path: { id: spare.id }, header: { 'If-Match': ifMatch(spareMoved.version) } }, body: { condition: 'good', notes: 'Goresan kecil di tutup' } }), 'device notes');
  ok(await admin.POST('/api/v1/devices/transfers', { body: { deviceIds: [spare.id], toSchoolId: schoolA.id, reason: 'Kembali ke SMPN 99' } }), 'transfer back');
  const repair = ok(await admin.POST('/api/v1/devices/{id}/repairs', { params: { path: { id: spare.id } }, body: { vendor: 'CV Servis Laptop Medan', problem: 'Engsel layar patah', costEstimate: 350_000 } }), 'repair');
  ok(await admin.GET('/api/v1/devices/{id}/repairs', { params: { path: { id: spare.id } } }), 'repairs');
  ok(await admin.POST('/api/v1/devices/{id}/repairs/{repairId}/close', { params: { path: { id: spare.id, repairId: repair.id } }, body: { outcome: 'repaired', finalCost: 300_000 } }), 'repaired');
  const retired = ok(await admin.POST('/api/v1/devices/{id}/retire', { params: { path: { id: spare.id } }, body: { reason: 'scrapped', notes: 'Papan induk rusak' } }), 'retire');
  if (retired.status !== 'retired') throw new Error('retire: still in service');

  // A stock-take at school A.
  const count = ok(await school.POST('/api/v1/stocktakes', { body: { schoolId: schoolA.id, notes: 'Awal tahun ajaran' } }), 'stock-take');
  const busy = refused(await school.POST('/api/v1/stocktakes', { body: { schoolId: schoolA.id } }), 409, 'second stock-take');
  if (!isConflict(busy) || busy.openStocktakeId !== count.id) throw new Error('second stock-take: openStocktakeId');
  ok(await school.POST('/api/v1/stocktakes/{id}/scans', { params: { path: { id: count.id } }, body: { codes: ['MDN-LPT-2027-0001', 'MDN-LPT-2027-0002', 'UNKNOWN-0001'] } }), 'scans');
  const progress = ok(await school.GET('/api/v1/stocktakes/{id}', { params: { path: { id: count.id } } }), 'stock-take progress');
  if (progress.progress === null) throw new Error('stock-take: no progress while open');
  ok(await school.GET('/api/v1/stocktakes', { params: { query: { status: 'open' } } }), 'stock-takes');
  const closed = ok(await school.POST('/api/v1/stocktakes/{id}/close', { params: { path: { id: count.id } }, body: { relocateUnexpected: false } }), 'close stock-take');
  if (closed.counts === null) throw new Error('stock-take: no counts once closed');

  // Students: the school's file, and one by hand.
  const studentCsv = [
    'nisn,full_name,grade,class_name,date_of_birth,guardian_name,guardian_relation,guardian_phone,social_aid',
    '0099200001,ADINDA PUTRI NASUTION,8,8A,2013-03-14,Siti Aminah,ibu,0812-6543-2101,KIP',
    '0099200002,BAGAS SURYA PRATAMA,9,9B,12/11/2012,Hendra Pratama,ayah,081370001122,',
    '0099200003,CHRISTINE SIMANJUNTAK,8,8A,2013-07-21,Rosmawati Sitompul,ibu,+62 813 7000 3344,KIP;PKH',
    '0099200004,DIMAS ARYA SAPUTRA,7,7C,2014-01-09,Hasan Basri,wali,,',
  ].join('\n');
  const studentImport = ok(await school.POST('/api/v1/students/import', { ...csvUpload, params: { query: { mode: 'partial' } }, body: studentCsv }), 'student file');
  if (studentImport.created !== 4) throw new Error(`student file: ${studentImport.created} created`);
  const fifth = ok(
    await school.POST('/api/v1/students', {
      body: { nisn: '0099200005', fullName: 'ELISABETH NAINGGOLAN', schoolId: schoolA.id, grade: 6, className: '6A', dateOfBirth: '2014-12-30', guardianName: 'Dormauli Hutagalung', guardianRelation: 'mother', guardianPhone: '0852 1000 5566', resident: true, socialAid: ['PKH'] },
    }),
    'student',
  );
  const students = ok(await school.GET('/api/v1/students', { params: { query: { schoolId: schoolA.id, enrolmentStatus: 'enrolled', limit: 50 } } }), 'students').items;
  const byNisn = (nisn: string) => {
    const found = students.find((s) => s.nisn === nisn);
    if (!found) throw new Error(`student ${nisn} not listed`);
    return found;
  };
  const [s1, s2, s3, s4] = [byNisn('0099200001'), byNisn('0099200002'), byNisn('0099200003'), byNisn('0099200004')];
  ok(await school.GET('/api/v1/students/{id}', { params: { path: { id: s4.id } } }), 'student again');
  ok(await school.PATCH('/api/v1/students/{id}', { params: { path: { id: s4.id }, header: { 'If-Match': ifMatch(s4.version) } }, body: { guardianPhone: '0813 1111 2222', familyCardNumber: '1271050109100004' } }), 'student phone');

  // The program, its terms, quotas and price list.
  const rules: Schemas['EligibilityRules'] = { grades: { min: 7, max: 12 }, schoolLevels: ['SMP', 'SMA', 'SMK'], enrolmentRequired: true, maxOpenCharges: 0, priority: { socialAid: 50, perAid: { KIP: 20, PKH: 10 }, perGrade: 2 } };
  const program = ok(
    await admin.POST('/api/v1/programs', {
      body: { code: 'LPTK', name: 'Laptop Pelajar 2027', startsOn: '2020-01-01', endsOn: '2099-12-31', loanDueDate: '2099-06-30', maxExtensions: 2, rules, termsText: 'Perangkat adalah barang milik daerah yang dipinjamkan.' },
    }),
    'program',
  );
  ok(await admin.GET('/api/v1/programs', { params: { query: { limit: 5 } } }), 'programs');
  ok(await admin.GET('/api/v1/programs/{id}', { params: { path: { id: program.id } } }), 'program again');
  ok(await admin.PATCH('/api/v1/programs/{id}', { params: { path: { id: program.id }, header: { 'If-Match': ifMatch(program.version) } }, body: { name: 'Laptop Pelajar Kota Medan 2027' } }), 'program name');
  const terms = ok(await admin.POST('/api/v1/programs/{id}/terms', { params: { path: { id: program.id } }, body: { text: 'Perangkat adalah barang milik daerah. Kerusakan karena kelalaian dibebankan kepada orang tua.' } }), 'terms');
  ok(await admin.GET('/api/v1/programs/{id}/terms', { params: { path: { id: program.id } } }), 'all terms');
  ok(await admin.GET('/api/v1/programs/{id}/terms/{version}', { params: { path: { id: program.id, version: terms.version } } }), 'terms again');
  ok(await admin.PUT('/api/v1/programs/{id}/quotas', { params: { path: { id: program.id } }, body: { quotas: [{ schoolId: schoolA.id, quota: 40 }] } }), 'quotas');
  ok(await admin.GET('/api/v1/programs/{id}/quotas', { params: { path: { id: program.id } } }), 'quotas again');
  ok(
    await admin.PUT('/api/v1/programs/{programId}/price-list', {
      params: { path: { programId: program.id } },
      body: { items: [{ code: 'missing_charger', description: 'Pengisi daya hilang', amount: 250_000, waivableForSocialAid: true }, { code: 'broken_screen', description: 'Layar pecah', amount: 1_200_000 }, { code: 'replacement', description: 'Penggantian perangkat', amount: 6_250_000 }] },
    }),
    'price list',
  );
  ok(await school.GET('/api/v1/programs/{programId}/price-list', { params: { path: { programId: program.id } } }), 'price list again');

  // Consents, eligibility, applications and the allocation run.
  const notifications = ok(
    await school.POST('/api/v1/students/{id}/consents', { params: { path: { id: s3.id } }, body: { purpose: 'guardian_notifications', method: 'paper', evidenceRef: 'Formulir 2027/015', givenAt: new Date().toISOString() } }),
    'consent',
  );
  ok(await school.GET('/api/v1/students/{id}/consents', { params: { path: { id: s3.id } } }), 'consents');
  ok(await school.POST('/api/v1/students/{id}/consents/{consentId}/withdraw', { params: { path: { id: s3.id, consentId: notifications.id } }, body: { reason: 'Orang tua meminta' } }), 'withdraw consent');
  const check = ok(await school.GET('/api/v1/programs/{programId}/eligibility/{studentId}', { params: { path: { programId: program.id, studentId: s1.id } } }), 'eligibility');
  if (!check.eligible || check.rules.some((r) => r.reason === '' || r.code === 'recorded')) throw new Error('eligibility: not eligible, or a reason without its code');
  const applications = [];
  for (const student of [s1, s2, s3]) {
    applications.push(ok(await school.POST('/api/v1/programs/{programId}/applications', { params: { path: { programId: program.id } }, body: { studentId: student.id } }), 'application'));
  }
  const rejected = ok(await school.POST('/api/v1/programs/{programId}/applications', { params: { path: { programId: program.id } }, body: { studentId: fifth.id } }), 'grade 6 application');
  if (rejected.status !== 'rejected') throw new Error('grade 6 application: not rejected');
  ok(await school.GET('/api/v1/programs/{programId}/applications', { params: { path: { programId: program.id }, query: { status: 'pending' } } }), 'applications');
  ok(await auditor.GET('/api/v1/programs/{programId}/applications/{id}', { params: { path: { programId: program.id, id: rejected.id } } }), 'application again');
  ok(await auditor.GET('/api/v1/programs/{programId}/duplicate-beneficiaries', { params: { path: { programId: program.id } } }), 'duplicates');
  // The office tries a tight quota first: the dry run says who would wait, and why.
  ok(await admin.PUT('/api/v1/programs/{id}/quotas', { params: { path: { id: program.id } }, body: { quotas: [{ schoolId: schoolA.id, quota: 2 }] } }), 'tight quota');
  const plan = ok(await admin.POST('/api/v1/programs/{programId}/allocations', { params: { path: { programId: program.id } }, body: { dryRun: true } }), 'dry run');
  if (plan.runId !== null) throw new Error('dry run: a run id');
  const notServed = plan.schools.flatMap((s) => [...s.waiting, ...s.ineligible]);
  const allocationReasons = notServed.flatMap((entry) => entry.reasons.map((r) => `${r.rule ?? 'run'}:${r.code}: ${r.message}`));
  if (notServed.some((entry) => entry.reasons.length === 0)) throw new Error('dry run: an application not served without a reason');
  ok(await admin.PUT('/api/v1/programs/{id}/quotas', { params: { path: { id: program.id } }, body: { quotas: [{ schoolId: schoolA.id, quota: 40 }] } }), 'quota raised');
  const run = ok(await admin.POST('/api/v1/programs/{programId}/allocations', { params: { path: { programId: program.id }, header: { 'Idempotency-Key': key() } }, body: { schoolId: schoolA.id } }), 'allocation');
  const reserved = run.schools.flatMap((s) => s.allocated);
  const third = present(applications[2], 'third application');
  ok(await school.POST('/api/v1/programs/{programId}/applications/{id}/withdraw', { params: { path: { programId: program.id, id: third.id } } }), 'withdraw application');
  const pickups = ok(await school.GET('/api/v1/worklists/awaiting-pickup', { params: { query: { programId: program.id, limit: 20 } } }), 'awaiting pick-up');
  const worklists = pickups.items.map((p) => `${p.nisn}:pickup ${p.assetTag} (${p.daysWaiting} days)`).sort();
  // The rule editor: would a draft grade range let the grade 6 student in?
  const preview = ok(
    await admin.POST('/api/v1/programs/eligibility-preview', { body: { studentId: fifth.id, programId: program.id, rules: { ...rules, grades: { min: 6, max: 12 } } } }),
    'eligibility preview',
  );
  const previewGradeRule = present(preview.rules.find((r) => r.rule === 'grade_range'), 'preview grade rule');
  const previewGrade = `${preview.eligible ? 'eligible' : 'not eligible'} ${previewGradeRule.code}: ${previewGradeRule.reason}`;

  // Issuing: one by one with a reserved device, then in bulk.
  const first = reserved.find((r) => r.studentId === s1.id);
  if (!first) throw new Error('allocation: nothing reserved for the first student');
  // A retry after a dropped connection sends the same key with the same body, and gets the same loan.
  // The guardian signs on the desk's tablet: the drawing travels with the issue.
  const issue = {
    params: { header: { 'Idempotency-Key': key() } },
    body: { programId: program.id, studentId: s1.id, deviceId: first.deviceId, guardianConsent: consent('Siti Aminah', 'digital'), guardianSignaturePng: SIGNATURE_PNG },
  };
  const loan = ok(await school.POST('/api/v1/loans', issue), 'issue');
  const replay = ok(await school.POST('/api/v1/loans', issue), 'issue again');
  if (replay.id !== loan.id) throw new Error('issue again: a second loan');
  const drawn = await auditor.GET('/api/v1/loans/{id}/signature.png', { params: { path: { id: loan.id } }, parseAs: 'arrayBuffer' });
  const signature = ok(drawn, 'signature');
  const signedHash = hex(await crypto.subtle.digest('SHA-256', fromBase64(SIGNATURE_PNG)));
  if (drawn.response.headers.get('X-Content-SHA256') !== signedHash || hex(await crypto.subtle.digest('SHA-256', signature)) !== signedHash) throw new Error('signature: not the image drawn');
  const taken = refused(
    await school.POST('/api/v1/loans', { params: { header: { 'Idempotency-Key': key() } }, body: { programId: program.id, studentId: s2.id, deviceId: first.deviceId, guardianConsent: consent('Hendra Pratama') } }),
    409,
    'device on loan',
  );
  if (!isConflict(taken) || taken.currentStatus !== 'on_loan') throw new Error(`device on loan: ${taken.code}`);
  const indonesian = client(options, await logIn(options, operator.email, operatorPassword), 'id-ID,id;q=0.9,en;q=0.5');
  const ineligible = refused(
    await indonesian.POST('/api/v1/loans', { params: { header: { 'Idempotency-Key': key() } }, body: { programId: program.id, studentId: fifth.id, deviceId: d6, guardianConsent: consent('Dormauli Hutagalung') } }),
    422,
    'grade 6 loan',
  );
  if (!isNotEligible(ineligible)) throw new Error(`grade 6 loan: ${ineligible.code}`);
  const ineligibleRules = ineligible.rules.filter((r) => !r.passed).map((r) => `${r.rule}:${r.code}:${r.reason}`);
  const otherDevices = [d1, d2, d3, d4, d5, d6].filter((id) => !reserved.some((r) => r.deviceId === id));
  const [b1, b2] = otherDevices;
  if (!b1 || !b2) throw new Error('bulk issue: not enough devices left');
  const bulk = ok(
    await school.POST('/api/v1/loans/bulk-issue', {
      params: { header: { 'Idempotency-Key': key() } },
      body: { programId: program.id, items: [{ studentId: s2.id, deviceId: b1, guardianConsent: consent('Hendra Pratama') }, { studentId: fifth.id, deviceId: b2, guardianConsent: consent('Dormauli Hutagalung') }] },
    }),
    'bulk issue',
  );
  const [second, failed] = bulk.results;
  if (second?.loan === undefined || failed?.problem?.code !== 'not_eligible' || failed.problem.rules === undefined) throw new Error('bulk issue: not one issued and one refused with its rules');
  const loans = ok(await school.GET('/api/v1/loans', { params: { query: { schoolId: schoolA.id, status: 'active', programId: program.id } } }), 'loans');
  // JSON or CSV by negotiation: the type says both, so a client looks before reading.
  if (typeof loans === 'string') throw new Error('loans: CSV without asking for it');
  const csv = ok(await school.GET('/api/v1/loans', { params: { query: { format: 'csv' } }, parseAs: 'text' }), 'loans as CSV');
  ok(await auditor.GET('/api/v1/loans/{id}', { params: { path: { id: loan.id } } }), 'loan');

  // The agreement: the PDF, and its public check.
  const pdf = ok(await school.GET('/api/v1/loans/{id}/agreement.pdf', { params: { path: { id: loan.id } }, parseAs: 'arrayBuffer' }), 'agreement');
  const printed = { path: { number: loan.agreementNumber.toLowerCase() }, query: { c: options.printedCode(loan.agreementNumber) } };
  const verified = ok(await anonymous.GET('/api/v1/agreements/{number}/verify', { params: printed }), 'verify');
  if (!verified.valid || verified.status !== 'active') throw new Error('verify: not a valid active agreement');
  // The number alone (walked from another one) proves nothing: the same 404 as a forged number.
  const walked = refused(await anonymous.GET('/api/v1/agreements/{number}/verify', { params: { path: printed.path } }), 404, 'number without its code');
  if (!isUnknownAgreement(walked) || walked.valid !== false) throw new Error('number without its code: not said invalid');
  const forged = refused(await anonymous.GET('/api/v1/agreements/{number}/verify', { params: { path: { number: 'MDN-2027-999999' } } }), 404, 'forged agreement');
  if (!isUnknownAgreement(forged) || forged.valid !== false || forged.agreementNumber !== 'MDN-2027-999999') throw new Error('forged agreement: not said invalid');

  // During the year: an extension, a theft, a student moving school.
  ok(await school.POST('/api/v1/loans/{id}/extend', { params: { path: { id: loan.id } }, body: { newDueDate: '2099-09-30', reason: 'Ujian susulan' } }), 'extend');
  const secondLoan = second.loan;
  const stolen = ok(
    await school.POST('/api/v1/loans/{id}/report-loss', { params: { path: { id: secondLoan.id } }, body: { kind: 'stolen', occurredOn: today(), policeReportNumber: 'LP/B/1234/VII/2027/SPKT', notes: 'Dicuri di angkot' } }),
    'theft',
  );
  if (stolen.loan.status !== 'stolen') throw new Error('theft: loan not stolen');
  ok(await admin.POST('/api/v1/devices/{id}/recover', { params: { path: { id: secondLoan.deviceId } }, body: { condition: 'fair', notes: 'Ditemukan polisi' } }), 'recover');
  const movingLoan = ok(
    await school.POST('/api/v1/loans', { params: { header: { 'Idempotency-Key': key() } }, body: { programId: program.id, studentId: s4.id, deviceId: b2, guardianConsent: consent('Hasan Basri') } }),
    'issue to the leaver',
  );
  const onPaper = refused(await school.GET('/api/v1/loans/{id}/signature.png', { params: { path: { id: movingLoan.id } }, parseAs: 'arrayBuffer' }), 404, 'signature of a paper agreement');
  if (onPaper.code !== 'signature_not_found') throw new Error(`signature of a paper agreement: ${onPaper.code}`);
  const s4now = ok(await admin.GET('/api/v1/students/{id}', { params: { path: { id: s4.id } } }), 'leaver');
  ok(await admin.PATCH('/api/v1/students/{id}', { params: { path: { id: s4.id }, header: { 'If-Match': ifMatch(s4now.version) } }, body: { schoolId: schoolB.id } }), 'move student');
  // Until the loan follows, school A still answers for the device the student took along.
  const leavers = ok(await school.GET('/api/v1/worklists/leavers', { params: { query: { q: s4.nisn } } }), 'leavers');
  worklists.push(...leavers.items.map((l) => `${l.nisn}:leaver ${l.assetTag}${l.studentSchoolId === schoolB.id ? ' now at school B' : ''}`));
  const moved = ok(await admin.POST('/api/v1/loans/{id}/transfer', { params: { path: { id: movingLoan.id } }, body: { toSchoolId: schoolB.id, reason: 'Pindah domisili' } }), 'loan follows');
  if (moved.schoolId !== schoolB.id) throw new Error('loan follows: still at school A');

  // The end of the year: returns, charges, payments. No receipt before the device comes back.
  const early = refused(await school.GET('/api/v1/loans/{id}/return-receipt.pdf', { params: { path: { id: loan.id } }, parseAs: 'arrayBuffer' }), 409, 'receipt before the return');
  if (!isConflict(early) || early.currentStatus !== 'active' || early.code !== 'no_return_receipt') throw new Error(`receipt before the return: ${early.code}`);
  const returned = ok(
    await school.POST('/api/v1/loans/{id}/return', {
      params: { path: { id: loan.id } },
      body: { condition: 'fair', checklist: { charger: false, bag: true }, damageNotes: 'Layar retak di sudut', nextStatus: 'in_repair', damageItems: ['broken_screen'], manualCharges: [{ description: 'Stiker aset rusak', amount: 15_000 }] },
    }),
    'return',
  );
  const [screen, ...others] = returned.charges;
  if (!screen) throw new Error('return: no charge');
  ok(await school.GET('/api/v1/charges', { params: { query: { studentId: s1.id, status: 'open' } } }), 'charges');
  const toCollect = ok(await school.GET('/api/v1/worklists/open-charges', { params: { query: { programId: program.id, q: s1.nisn } } }), 'open charges');
  worklists.push(...toCollect.items.map((c) => `${c.nisn}:charge ${c.amount}`).sort());
  const overdue = ok(await school.GET('/api/v1/worklists/overdue', { params: { query: { programId: program.id } } }), 'overdue');
  worklists.push(...overdue.items.map((o) => `${o.nisn}:overdue ${o.daysOverdue} days, ${o.reminderLevel ?? 'no reminder yet'}`));
  const receipt = ok(await school.GET('/api/v1/loans/{id}/return-receipt.pdf', { params: { path: { id: loan.id } }, parseAs: 'arrayBuffer' }), 'return receipt');
  if (magic(receipt, 5) !== '%PDF-') throw new Error('return receipt: not a PDF');
  ok(await school.POST('/api/v1/charges/{id}/pay', { params: { path: { id: screen.id } }, body: { paymentReference: 'BKU/2027/07/0042' } }), 'pay');
  for (const charge of others) ok(await admin.POST('/api/v1/charges/{id}/waive', { params: { path: { id: charge.id } }, body: { reason: 'Keringanan Dinas' } }), 'waive');
  ok(
    await admin.POST('/api/v1/loans/bulk-return', {
      params: { header: { 'Idempotency-Key': key() } },
      body: { items: [{ loanId: movingLoan.id, condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' }] },
    }),
    'bulk return',
  );

  // Reminders and the reports the office reads.
  ok(await school.GET('/api/v1/notifications', { params: { query: { schoolId: schoolA.id } } }), 'notifications');
  ok(await admin.POST('/api/v1/notifications/run-reminders'), 'reminders');
  ok(await auditor.GET('/api/v1/reports/coverage', { params: { query: { programId: program.id } } }), 'coverage');
  const coverageCsv = ok(await auditor.GET('/api/v1/reports/coverage', { params: { query: { programId: program.id, format: 'csv' } }, parseAs: 'text' }), 'coverage as CSV');
  ok(await auditor.GET('/api/v1/reports/stock-reconciliation', { params: { query: { view: 'batches' } } }), 'stock report');
  ok(await auditor.GET('/api/v1/reports/overdue', { params: { query: { programId: program.id } } }), 'overdue');
  ok(await auditor.GET('/api/v1/reports/losses', { params: { query: { from: '2027-01-01', to: '2099-12-31' } } }), 'losses');
  ok(await auditor.GET('/api/v1/reports/activity', { params: { query: { interval: 'week' } } }), 'activity');
  const summary = ok(await auditor.GET('/api/v1/reports/summary.pdf', { params: { query: { programId: program.id } }, parseAs: 'arrayBuffer' }), 'summary');

  // The audit trail, the students' data rights.
  ok(await auditor.GET('/api/v1/audit-events', { params: { query: { entityType: 'loan', limit: 100 } } }), 'audit');
  const verification = ok(await auditor.GET('/api/v1/audit-events/verify'), 'audit check');
  if (!verification.valid) throw new Error(`audit check: broken at ${verification.firstBrokenLink?.at}: ${verification.firstBrokenLink?.reason}`);
  const exported = ok(await admin.GET('/api/v1/students/{id}/data-export', { params: { path: { id: s1.id } } }), 'data export');
  if (exported.loans[0]?.return === null || exported.applications[0]?.eligibility.rules.length === 0) throw new Error('data export: the loan or the snapshot is missing');
  ok(await auditor.GET('/api/v1/student-access-log', { params: { query: { studentId: s1.id } } }), 'access log');
  ok(await admin.POST('/api/v1/students/anonymise-departed'), 'anonymise');
  const pack = ok(await auditor.GET('/api/v1/reports/evidence-pack.zip', { params: { query: { programId: program.id, schoolId: schoolA.id } }, parseAs: 'arrayBuffer' }), 'evidence pack');
  if (magic(pack, 4) !== 'PK\x03\x04') throw new Error('evidence pack: not a ZIP');

  // In Bahasa Indonesia: the same problem, in the operator's words.
  const missing = refused(await indonesian.GET('/api/v1/students/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } }), 404, 'missing student');

  return {
    schools: schools.items.map((s) => s.npsn),
    students: students.length,
    loansIssued: loans.items.length,
    agreementBytes: pdf.byteLength + summary.byteLength,
    csvLines: csv.split('\n').length + coverageCsv.split('\n').length,
    indonesianDetail: missing.detail,
    ineligibleRules,
    importErrorLines,
    allocationReasons,
    previewGrade,
    labelsPrinted,
    worklists,
    receiptBytes: receipt.byteLength,
    evidencePackBytes: pack.byteLength,
  };
}
