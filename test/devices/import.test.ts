import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type ModelBody, newBatch, newDevice, newModel, uniq, writeCounts } from './device-helpers.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let model: ModelBody;
let batch: BatchBody;
let otherBatch: BatchBody;

const IMPORT_LIMIT = 4 * 1024 * 1024;

beforeAll(async () => {
  t = await startTestApp({ IMPORT_LIMIT_BYTES: String(IMPORT_LIMIT) });
  cast = await newCast(t);
  model = await newModel(t, cast.admin, { manufacturer: 'Acer', model: `Chromebook ${uniq()}` });
  batch = await newBatch(t, cast.admin, model.id);
  otherBatch = await newBatch(t, cast.admin, (await newModel(t, cast.admin)).id);
});
afterAll(() => t?.close());

interface ImportOptions {
  mode?: string;
  /** ?dryRun=true: checked, nothing written. */
  dryRun?: boolean;
  key?: string;
  auth?: string;
}

const url = (mode?: string, dryRun?: boolean) => {
  const query = new URLSearchParams();
  if (mode) query.set('mode', mode);
  if (dryRun) query.set('dryRun', 'true');
  return `/api/v1/devices/import${query.size ? `?${query}` : ''}`;
};

function importCsv(csv: string, options: ImportOptions = {}) {
  const req = t
    .http()
    .post(url(options.mode, options.dryRun))
    .set('authorization', options.auth ?? cast.admin.auth)
    .set('content-type', 'text/csv');
  if (options.key) req.set('idempotency-key', options.key);
  return req.send(csv);
}

function importMultipart(csv: string, options: ImportOptions & { field?: string } = {}) {
  const req = t.http().post(url(options.mode)).set('authorization', options.auth ?? cast.admin.auth);
  if (options.key) req.set('idempotency-key', options.key);
  return req.attach(options.field ?? 'file', Buffer.from(csv), { filename: 'devices.csv', contentType: 'text/csv' });
}

const deviceCount = async () => (await t.db.query(`SELECT count(*)::int AS n FROM devices`)).rows[0].n as number;
const importEvents = async () =>
  (await t.db.query(`SELECT actor_id, school_id, entity_type, entity_id, after FROM audit_events WHERE action = 'device.imported' ORDER BY id`)).rows;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const errorsAt = (body: { errors: { line: number; field: string }[] }) => body.errors.map((e) => `${e.line}:${e.field}`);

const HEADER = 'asset_tag,serial_number,contract_ref,model,school_npsn,condition,accessories,warranty_ends_on,notes';

describe('the header', () => {
  it('a missing required column is a 400 naming it on line 1, before any row is read', async () => {
    const before = await writeCounts(t);
    const res = await importCsv(`asset_tag,contract_ref,warranty_ends_on\nMDN-1,${batch.contractRef},not-a-date\n`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ line: 1, field: 'serial_number', code: 'column_missing', params: {}, message: 'required column is missing from the header' }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('needs batch_id or contract_ref, and refuses unknown and repeated columns', async () => {
    const res = await importCsv(`asset_tag,serial_number,colour,serial_number\nA,B,red,C\n`);
    expect(res.status).toBe(400);
    expect(errorsAt(res.body).sort()).toEqual(['1:batch_id', '1:colour', '1:serial_number'].sort());
  });

  it('an empty file, or a header without rows, is a 400', async () => {
    expect((await importCsv('')).status).toBe(400);
    const res = await importCsv(`${HEADER}\n`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'file', code: 'no_rows', params: {}, message: 'the file has a header but no rows' }]);
  });
});

describe('a file with bad rows', () => {
  let existing: { assetTag: string; serialNumber: string };
  let csv: string;
  let n: string;

  beforeAll(async () => {
    existing = await newDevice(t, cast.admin, batch);
    n = uniq();
    const ref = batch.contractRef;
    const modelName = `${model.manufacturer} ${model.model}`;
    csv = [
      HEADER, // 1
      `mdn-${n}-01, sn-${n}-01 ,${ref},${modelName.toUpperCase()},${cast.schoolA.npsn},good,charger;Bag,2030-01-31,first`, // 2 good, codes normalised
      `MDN-${n}-02,SN-${n}-02,${ref},,,,,,`, // 3 good: store, defaults
      `MDN-${n}-03,SN-${n}-03,${ref},,,,,2030-02-30,`, // 4 bad date
      `MDN-${n}-04,SN-${n}-04,${ref},,,shiny,,,`, // 5 unknown condition
      `MDN-${n}-05,SN-${n}-05,${ref},Lenovo Nothing 9,,,,,`, // 6 unknown model
      `MDN-${n}-06,SN-${n}-02,${ref},,,,,,`, // 7 serial also on line 3 (line 3 then bad too)
      `MDN-${n}-07,${existing.serialNumber.toLowerCase()},${ref},,,,,,`, // 8 serial already registered
      `${existing.assetTag},SN-${n}-08,${ref},,,,,,`, // 9 asset tag already registered
      `MDN-${n}-09,SN-${n}-09,SPK/NOPE/${n},,,,,,`, // 10 unknown batch
      `MDN-${n}-10,SN-${n}-10,${otherBatch.contractRef},${modelName},,,,,`, // 11 model does not match the batch
      `MDN-${n}-11,SN-${n}-11,${ref},,,,,,"two words, quoted"`, // 12 good
      `MDN-${n}-12,SN-${n}-12,${ref},,99999999,,,,`, // 13 unknown school
      `MDN-${n}-13,SN-${n}-13`, // 14 too few cells
      `MDN-${n}-14,SN-${n}-14,${ref},,,,,31/12/2030,`, // 15 bad date format
    ].join('\n');
  });

  it('all-or-nothing: every error is reported with its line and column, and nothing is written', async () => {
    const before = await writeCounts(t);
    const res = await importCsv(csv);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(errorsAt(res.body)).toEqual([
      '3:serial_number',
      '4:warranty_ends_on',
      '5:condition',
      '6:model',
      '7:serial_number',
      '8:serial_number',
      '9:asset_tag',
      '10:contract_ref',
      '11:model',
      '13:school_npsn',
      '14:row',
      '15:warranty_ends_on',
    ]);
    const messages = Object.fromEntries(res.body.errors.map((e: { line: number; message: string }) => [e.line, e.message]));
    expect(messages[3]).toBe(`serial number SN-${n}-02 is also on line 7`);
    expect(messages[7]).toBe(`serial number SN-${n}-02 is also on line 3`);
    expect(messages[8]).toBe(`serial number ${existing.serialNumber} is already registered`);
    expect(messages[9]).toBe(`asset tag ${existing.assetTag} is already registered`);
    expect(messages[4]).toBe('must be a date written YYYY-MM-DD');
    expect(res.body.errors[1]).toEqual({ line: 4, field: 'warranty_ends_on', code: 'not_ymd_date', params: {}, message: 'must be a date written YYYY-MM-DD', value: '2030-02-30' });
    expect(res.body).toMatchObject({ status: 422, rows: 14, imported: 0, rejected: 12, errorCount: 12, errorsTruncated: false, checksum: sha256(csv) });
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a dry run answers what each mode would (the same errors by line) and writes nothing, not even an audit event', async () => {
    const before = await writeCounts(t);
    const strict = await importCsv(csv, { dryRun: true });
    expect(strict.status).toBe(422);
    const real = await importCsv(csv);
    expect(strict.body).toEqual({ ...real.body, dryRun: true, requestId: strict.body.requestId });
    expect(real.body.dryRun).toBe(false);

    const partial = await importCsv(csv, { mode: 'partial', dryRun: true });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ importId: null, dryRun: true, mode: 'partial', rows: 14, imported: 2, rejected: 12, errorCount: 12, checksum: sha256(csv) });
    expect(errorsAt(partial.body)).toEqual(errorsAt(strict.body));
    expect(await writeCounts(t)).toEqual(before);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM devices WHERE asset_tag LIKE $1`, [`MDN-${n}-%`])).rows[0].n).toBe(0);
  });

  it('partial: exactly the good rows are written, and one audit event records the counts and checksum', async () => {
    const before = await deviceCount();
    const eventsBefore = (await importEvents()).length;
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'partial', rows: 14, imported: 2, rejected: 12, errorCount: 12, checksum: sha256(csv) });
    expect(res.body.errors).toHaveLength(12);
    expect(await deviceCount()).toBe(before + 2);

    const { rows } = await t.db.query(
      `SELECT asset_tag, serial_number, model_id, batch_id, school_id, status, condition, accessories, warranty_ends_on::text, notes
         FROM devices WHERE asset_tag LIKE $1 ORDER BY asset_tag`,
      [`MDN-${n}-%`],
    );
    expect(rows).toEqual([
      {
        asset_tag: `MDN-${n}-01`,
        serial_number: `SN-${n}-01`,
        model_id: model.id,
        batch_id: batch.id,
        school_id: cast.schoolA.id,
        status: 'in_stock',
        condition: 'good',
        accessories: { bag: true, charger: true },
        warranty_ends_on: '2030-01-31',
        notes: 'first',
      },
      {
        asset_tag: `MDN-${n}-11`,
        serial_number: `SN-${n}-11`,
        model_id: model.id,
        batch_id: batch.id,
        school_id: null,
        status: 'in_stock',
        condition: 'new',
        accessories: {},
        warranty_ends_on: null,
        notes: 'two words, quoted',
      },
    ]);

    const events = await importEvents();
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events.at(-1)).toEqual({
      actor_id: cast.admin.id,
      school_id: null,
      entity_type: 'device_import',
      entity_id: res.body.importId,
      after: expect.objectContaining({ mode: 'partial', rows: 14, imported: 2, rejected: 12, errorCount: 12, checksum: sha256(csv) }),
    });
    // No per-device events for an import.
    const perDevice = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'device.registered' AND after->>'assetTag' LIKE $1`, [`MDN-${n}-%`]);
    expect(perDevice.rows[0].n).toBe(0);
  });
});

// The same rules when no good row meets a registered code: those files take the direct COPY
// into devices (the file above, with registered codes, took the staged way).
describe('a file whose good rows are all new', () => {
  it('all-or-nothing: a bad date alone refuses the whole file and nothing is written', async () => {
    const n = uniq();
    const before = await writeCounts(t);
    const res = await importCsv(`${HEADER}\nMDN-${n}-1,SN-${n}-1,${batch.contractRef},,,,,,\nMDN-${n}-2,SN-${n}-2,${batch.contractRef},,,,,2031-04-31,\n`);
    expect(res.status).toBe(422);
    expect(errorsAt(res.body)).toEqual(['3:warranty_ends_on']);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('partial: both lines of a repeated serial are rejected, the first one although it was already written', async () => {
    const n = uniq();
    const csv = [
      HEADER,
      `MDN-${n}-1,SN-${n}-1,${batch.contractRef},,,,,,`,
      `MDN-${n}-2,SN-${n}-2,${batch.contractRef},,,,,,`,
      `MDN-${n}-3,SN-${n}-1,${batch.contractRef},,,,,,`,
      `MDN-${n}-4,SN-${n}-4,${batch.contractRef},,,,,2031-04-31,`,
    ].join('\n');
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 4, imported: 1, rejected: 3, errorCount: 3 });
    expect(errorsAt(res.body)).toEqual(['2:serial_number', '4:serial_number', '5:warranty_ends_on']);
    const { rows } = await t.db.query(`SELECT asset_tag FROM devices WHERE asset_tag LIKE $1`, [`MDN-${n}-%`]);
    expect(rows).toEqual([{ asset_tag: `MDN-${n}-2` }]);
  });

  it('rejected rows are checked against registered codes too, and a registered device is never touched', async () => {
    const existing = await newDevice(t, cast.admin, batch);
    const n = uniq();
    const csv = [
      HEADER,
      `${existing.assetTag},SN-${n}-1,${batch.contractRef},,,,,not-a-date,`,
      `${existing.assetTag},SN-${n}-2,${batch.contractRef},,,shiny,,,`,
      `MDN-${n}-3,SN-${n}-3,${batch.contractRef},,,,,,`,
    ].join('\n');
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, imported: 1, rejected: 2 });
    expect(res.body.errors.map((e: { line: number; field: string; message: string }) => `${e.line}:${e.field}:${e.message}`)).toEqual([
      `2:asset_tag:asset tag ${existing.assetTag} is also on line 3`,
      `2:asset_tag:asset tag ${existing.assetTag} is already registered`,
      '2:warranty_ends_on:must be a date written YYYY-MM-DD',
      `3:asset_tag:asset tag ${existing.assetTag} is also on line 2`,
      `3:asset_tag:asset tag ${existing.assetTag} is already registered`,
      '3:condition:must be one of new, good, fair, poor, broken',
    ]);
    const { rows } = await t.db.query(`SELECT id, serial_number FROM devices WHERE asset_tag = $1`, [existing.assetTag]);
    expect(rows).toEqual([{ id: existing.id, serial_number: existing.serialNumber }]);
  });
});

describe('idempotency', () => {
  const file = (n: string) => `${HEADER}\nMDN-${n}-1,SN-${n}-1,${batch.contractRef},,,,,,\nMDN-${n}-2,SN-${n}-2,${batch.contractRef},,,,,,\n`;

  it('a retry with the same key and file replays the answer without importing again', async () => {
    const n = uniq();
    const key = `import-${n}`;
    const first = await importCsv(file(n), { key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ imported: 2, rejected: 0, errorCount: 0, errors: [] });
    const devices = await deviceCount();
    const events = (await importEvents()).length;

    const replay = await importCsv(file(n), { key });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    // The same file sent as multipart is the same request.
    const multipartReplay = await importMultipart(file(n), { key });
    expect(multipartReplay.status).toBe(200);
    expect(multipartReplay.body).toEqual(first.body);
    expect(await deviceCount()).toBe(devices);
    expect((await importEvents()).length).toBe(events);

    // Without the key the same file is a new import, whose rows are now duplicates.
    const again = await importCsv(file(n));
    expect(again.status).toBe(422);
    expect(again.body.errorCount).toBe(4);
  });

  it('a dry run with a key claims nothing: the real import with that key afterwards imports, and a dry run of it is checked afresh', async () => {
    const n = uniq();
    const key = `import-${n}`;
    const dry = await importCsv(file(n), { key, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ importId: null, dryRun: true, imported: 2, rejected: 0, errors: [] });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM idempotency_records WHERE key = $1`, [key])).rows[0].n).toBe(0);

    const real = await importCsv(file(n), { key });
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ importId: expect.any(String), dryRun: false, imported: 2 });
    const afterwards = await importCsv(file(n), { key, dryRun: true });
    expect(afterwards.status).toBe(422);
    expect(afterwards.body).toMatchObject({ dryRun: true, errorCount: 4 });
  });

  it('the same key with another file, or another mode, is a 422', async () => {
    const n = uniq();
    const key = `import-${n}`;
    expect((await importCsv(file(n), { key })).status).toBe(200);
    const otherFile = await importCsv(file(uniq()), { key });
    expect(otherFile.status).toBe(422);
    expect(otherFile.body.type).toMatch(/idempotency-key-reused$/);
    const otherMode = await importCsv(file(n), { key, mode: 'partial' });
    expect(otherMode.status).toBe(422);
    expect(otherMode.body.type).toMatch(/idempotency-key-reused$/);
  });
});

describe('how the file is sent', () => {
  it('multipart/form-data with a field named file works', async () => {
    const n = uniq();
    const res = await importMultipart(`${HEADER}\nMDN-${n}-1,SN-${n}-1,${batch.contractRef},,,,,,\n`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 1, rows: 1 });
    expect((await t.db.query(`SELECT 1 FROM devices WHERE asset_tag = $1`, [`MDN-${n}-1`])).rowCount).toBe(1);
  });

  it('multipart without a file field is a 400', async () => {
    const res = await importMultipart(`${HEADER}\nX,Y,${batch.contractRef},,,,,,\n`, { field: 'upload' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'upload', code: 'file_field_name', params: {}, message: 'send the CSV in a field named file' }]);
  });

  it.each([
    ['application/json', JSON.stringify({ csv: 'x' })],
    ['text/plain', 'asset_tag,serial_number\n'],
    ['application/x-www-form-urlencoded', 'a=b'],
  ])('%s on the import route -> 415', async (type, body) => {
    const before = await writeCounts(t);
    const res = await t.http().post(url()).set('authorization', cast.admin.auth).set('content-type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('other routes stay JSON-only: text/csv and multipart there -> 415', async () => {
    const csv = await t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).set('content-type', 'text/csv').send('npsn,name\n');
    expect(csv.status).toBe(415);
    const form = await t.http().post('/api/v1/devices').set('authorization', cast.admin.auth).attach('file', Buffer.from('x'), 'x.csv');
    expect(form.status).toBe(415);
  });

  it('semicolon-separated files (Indonesian spreadsheets), a byte-order mark, CRLF, blank rows and multi-line cells', async () => {
    const n = uniq();
    const csv =
      '\ufeffasset_tag;serial_number;contract_ref;accessories;notes\r\n' + // 1
      `MDN-${n}-1;SN-${n}-1;${batch.contractRef};"charger;bag";"line one\r\nline two"\r\n` + // 2-3
      '\r\n' + // 4 blank
      ';;;;\r\n' + // 5 blank cells only
      `MDN-${n}-2;SN-${n}-2;${batch.contractRef};;\r\n` + // 6
      `MDN-${n}-3;SN-${n}-3;${batch.contractRef};;\r\n` + // 7
      `MDN-${n}-4;SN-${n}-4;${batch.contractRef};lamp shade;\r\n`; // 8: bad accessory name
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 4, imported: 3, rejected: 1 });
    expect(errorsAt(res.body)).toEqual(['8:accessories']);
    const { rows } = await t.db.query(`SELECT accessories, notes FROM devices WHERE asset_tag = $1`, [`MDN-${n}-1`]);
    expect(rows).toEqual([{ accessories: { bag: true, charger: true }, notes: 'line one\r\nline two' }]);
  });

  it('a file that is not valid CSV is a 400 naming the line', async () => {
    const before = await writeCounts(t);
    const res = await importCsv(`${HEADER}\nA,B,"unclosed,,,,,,\nC,D\n`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ line: expect.any(Number), field: 'row', code: 'not_csv', params: { reason: expect.any(String), column: expect.any(Number) }, message: expect.stringMatching(/^not valid CSV/) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it.each([
    ['a quote inside an unquoted cell', `${HEADER}\nA,B,C\nNur "Ayu",SN,X,,,,,,\n`, 3, 1],
    ['a stray quote in a later cell', `${HEADER}\nA,B,a"b,,,,,,\n`, 2, 3],
    ['a quoted cell followed by text', `${HEADER}\nA,"B"x,C,,,,,,\n`, 2, 2],
  ])('%s is a 400 naming line and column (every csv-parse error, not only CSV_ codes)', async (_name, csv, line, column) => {
    const before = await writeCounts(t);
    const res = await importCsv(csv);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ line, field: 'row', code: 'not_csv', params: { reason: expect.any(String), column }, message: expect.stringMatching(/^not valid CSV/) }]);
    // The answer names the place, not the cell (student names are personal data).
    expect(JSON.stringify(res.body)).not.toMatch(/Ayu|a"b|"B"x/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it.each([
    ['without a boundary', 'multipart/form-data', `--x\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${HEADER}\r\n--x--\r\n`],
    ['without its closing boundary', 'multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${HEADER}\r\nA,B,C,,,,,,\r\n`],
    ['with no part at all', 'multipart/form-data; boundary=x', `garbage without any boundary line`],
  ])('a multipart body %s is a 400', async (_name, type, body) => {
    const before = await writeCounts(t);
    const res = await t.http().post(url()).set('authorization', cast.admin.auth).set('content-type', type).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a file over IMPORT_LIMIT_BYTES is a 413, as text/csv and as multipart', async () => {
    const big = `${HEADER}\n` + 'x'.repeat(IMPORT_LIMIT + 10);
    const res = await importCsv(big);
    expect(res.status).toBe(413);
    const form = await importMultipart(big);
    expect(form.status).toBe(413);
  });

  it('a chunked upload (no Content-Length) is cut off at IMPORT_LIMIT_BYTES with a 413', async () => {
    // As supertest does: listen on a free port for this request only.
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const headers = { authorization: cast.admin.auth, 'content-type': 'text/csv', 'transfer-encoding': 'chunked', connection: 'close' };
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: url(), headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(`${HEADER}\n`);
      const chunk = 'x'.repeat(256 * 1024);
      for (let sent = 0; sent <= IMPORT_LIMIT; sent += chunk.length) req.write(chunk);
      req.end();
    }).finally(() => new Promise((resolve) => server.close(resolve)));
    expect(status).toBe(413);
  });

  it('takes batch_id and model_id as UUIDs instead of contract_ref and model', async () => {
    const n = uniq();
    const csv = [
      'asset_tag,serial_number,batch_id,model_id',
      `MDN-${n}-1,SN-${n}-1,${batch.id.toUpperCase()},${model.id}`,
      `MDN-${n}-2,SN-${n}-2,${batch.id},`,
      `MDN-${n}-3,SN-${n}-3,not-a-uuid,${model.id}`,
      `MDN-${n}-4,SN-${n}-4,${otherBatch.id},${model.id}`,
      `MDN-${n}-1,SN-${n}-5,${batch.id},6f1c1a52-3f0a-4b8e-9d3a-1f2e3d4c5b6a`,
    ].join('\n');
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 5, imported: 1, rejected: 4 });
    expect(errorsAt(res.body)).toEqual(['2:asset_tag', '4:batch_id', '5:model_id', '6:asset_tag', '6:model_id']);
    expect(res.body.errors[1]).toMatchObject({ message: 'must be a UUID', value: 'not-a-uuid' });
    expect(res.body.errors[2].message).toBe(`procurement batch ${otherBatch.contractRef} bought a different model`);
  });
});

describe('who may import', () => {
  it('school admins and auditors get 403 and nothing is written', async () => {
    const before = await writeCounts(t);
    const n = uniq();
    const csv = `${HEADER}\nMDN-${n},SN-${n},${batch.contractRef},,${cast.schoolA.npsn},,,,\n`;
    expect((await importCsv(csv, { auth: cast.operatorA.auth })).status).toBe(403);
    expect((await importCsv(csv, { auth: cast.auditor.auth })).status).toBe(403);
    expect((await t.http().post(url()).set('content-type', 'text/csv').send(csv)).status).toBe(401);
    expect(await writeCounts(t)).toEqual(before);
  });
});

describe('larger files', () => {
  const rowsOf = (n: string, count: number, cell: (i: number) => string = () => '') => {
    const lines = [HEADER];
    for (let i = 0; i < count; i++) lines.push(`MDN-${n}-${i},SN-${n}-${i},${batch.contractRef},,,,charger,${cell(i)},`);
    return lines.join('\n') + '\n';
  };

  it('20,000 rows are imported', async () => {
    const n = uniq();
    const res = await importCsv(rowsOf(n, 20_000));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 20_000, imported: 20_000, rejected: 0 });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM devices WHERE asset_tag LIKE $1`, [`MDN-${n}-%`]);
    expect(rows[0].n).toBe(20_000);
  });

  it('two imports of the same file at once: exactly one registers the devices, the other is refused (never a 500)', async () => {
    const n = uniq();
    const csv = rowsOf(n, 3000);
    const [a, b] = await Promise.all([importCsv(csv), importCsv(csv)]);
    expect([a.status, b.status].sort()).toEqual([200, expect.any(Number)]);
    const refused = a.status === 200 ? b : a;
    // 422 when it checked after the winner committed; 409 when it met the winner's rows mid-insert.
    expect([409, 422]).toContain(refused.status);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM devices WHERE asset_tag LIKE $1`, [`MDN-${n}-%`]);
    expect(rows[0].n).toBe(3000);
  });

  it('lists the first 1000 errors by line and counts them all', async () => {
    const before = await deviceCount();
    const res = await importCsv(rowsOf(uniq(), 1500, (i) => (i % 3 === 0 ? '' : 'soon')));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ rows: 1500, rejected: 1000, errorCount: 1000, errorsTruncated: false });
    const many = await importCsv(rowsOf(uniq(), 1500, () => 'soon'));
    expect(many.status).toBe(422);
    expect(many.body).toMatchObject({ rows: 1500, rejected: 1500, errorCount: 1500, errorsTruncated: true });
    expect(many.body.errors).toHaveLength(1000);
    expect(many.body.errors[0].line).toBe(2);
    expect(many.body.errors[999].line).toBe(1001);
    expect(await deviceCount()).toBe(before);
  });
});
