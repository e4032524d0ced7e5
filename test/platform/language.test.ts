import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { LANGUAGES, loadCatalogue, negotiateLanguage } from '../../src/i18n/i18n.js';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
// @ts-expect-error: a plain script without type declarations.
import { withCodes } from '../../scripts/message-codes.mjs';

const [en, id] = [loadCatalogue('en'), loadCatalogue('id')];
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
const keysOf = (catalogue: Record<string, Record<string, string>>) => Object.entries(catalogue).flatMap(([ns, messages]) => Object.keys(messages).map((k) => `${ns}.${k}`));

describe('the message catalogues', () => {
  it('have every code in both languages', () => {
    const english = keysOf(en);
    const indonesian = keysOf(id);
    expect({ missingInIndonesian: english.filter((k) => !indonesian.includes(k)), missingInEnglish: indonesian.filter((k) => !english.includes(k)) }).toEqual({
      missingInIndonesian: [],
      missingInEnglish: [],
    });
  });

  it('use the same placeholders in both languages, and no message is empty', () => {
    const differing = keysOf(en).flatMap((key) => {
      const [ns, code] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
      const [e, i] = [en[ns][code], id[ns]?.[code] ?? ''];
      if (!e.trim() || !i.trim()) return [`${key}: empty`];
      return JSON.stringify(placeholders(e)) === JSON.stringify(placeholders(i)) ? [] : [`${key}: en ${placeholders(e).join(',')} / id ${placeholders(i).join(',')}`];
    });
    expect(differing).toEqual([]);
  });

  it('are listed in full in docs/api.md (npm run docs:codes)', () => {
    const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    // Stale: run `npm run docs:codes` and commit docs/api.md.
    expect(docs).toBe(withCodes(docs));
  });
});

describe('Accept-Language', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['id', 'id'],
    ['id-ID', 'id'],
    ['ID-id', 'id'],
    ['in', 'id'],
    ['id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7', 'id'],
    ['en-US,en;q=0.9,id;q=0.8', 'en'],
    ['en;q=0.5, id;q=0.9', 'id'],
    ['fr, id;q=0.1', 'id'],
    ['fr, de', 'en'],
    ['*', 'en'],
    ['id;q=0', 'en'],
    [';;;,,,q=', 'en'],
  ])('%j answers in %s', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });

  it('offers English and Bahasa Indonesia', () => {
    expect(LANGUAGES).toEqual(['en', 'id']);
  });
});

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

type Ask = (language?: string) => Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> & { errors?: { message: string }[] } }>;

/** Problems of every kind, each asked for in a given language. */
const problems: Record<string, Ask> = {
  'invalid fields (400)': (language) =>
    lang(t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).send({ npsn: '123', name: '', level: 'TK', district: 'x'.repeat(300), extra: 1 }), language),
  'malformed JSON (400)': (language) => lang(t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).set('content-type', 'application/json').send('{"npsn":'), language),
  'no credentials (401)': (language) => lang(t.http().get('/api/v1/schools'), language),
  'an auditor writing (403)': (language) => lang(t.http().post('/api/v1/schools').set('authorization', cast.auditor.auth).send({}), language),
  'an unknown record (404)': (language) => lang(t.http().get('/api/v1/schools/00000000-0000-4000-8000-000000000000').set('authorization', cast.admin.auth), language),
  'an unknown path (404)': (language) => lang(t.http().get('/api/v1/nothing-here').set('authorization', cast.admin.auth), language),
  'a method the path does not serve (405)': (language) => lang(t.http().delete('/api/v1/schools').set('authorization', cast.admin.auth), language),
  'a stale If-Match (409)': (language) => lang(t.http().patch(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.admin.auth).set('if-match', '"99"').send({ name: 'X' }), language),
  'a body that is not JSON (415)': (language) => lang(t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).set('content-type', 'text/plain').send('npsn=1'), language),
  'a CSV header without NISN (400)': (language) =>
    lang(t.http().post(`/api/v1/students/import?schoolId=${cast.schoolA.id}`).set('authorization', cast.admin.auth).set('content-type', 'text/csv').send('a;b\n1;2\n'), language),
};

function lang<T extends { set(name: string, value: string): T }>(request: T, language?: string): T {
  return language === undefined ? request : request.set('accept-language', language);
}

const texts = (body: Record<string, unknown> & { errors?: { message: string }[] }) => [body.title, body.detail, ...(body.errors ?? []).map((e) => e.message)];

describe('problems in the language asked for', () => {
  it.each(Object.keys(problems))('%s: Indonesian for `id`, English otherwise, with the same codes', async (name) => {
    const ask = problems[name];
    const [none, english, indonesian] = [await ask(), await ask('en-GB,en;q=0.9'), await ask('id-ID,id;q=0.9,en;q=0.8')];
    expect(indonesian.status).toBe(none.status);
    expect(none.headers['content-language']).toBe('en');
    expect(indonesian.headers['content-language']).toBe('id');
    // English by default and when asked; every text different in Indonesian, every code the same.
    expect(texts(english.body)).toEqual(texts(none.body));
    const pairs = texts(none.body).map((text, i) => [text, texts(indonesian.body)[i]]);
    expect(pairs.filter(([e, i]) => e === i || typeof i !== 'string' || i === '')).toEqual([]);
    const codes = (b: typeof none.body) => JSON.stringify([b.type, b.code, b.params, (b.errors ?? []).map((e) => JSON.stringify({ ...e, message: undefined }))]);
    expect(codes(indonesian.body)).toBe(codes(none.body));
  });

  it('words an invalid field in Bahasa Indonesia with its code and params', async () => {
    const res = await problems['invalid fields (400)']('id');
    expect(res.body).toMatchObject({ title: 'Permintaan tidak valid', code: 'invalid_request' });
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'npsn', code: 'exact_digits', params: { count: 8 }, message: 'npsn harus tepat 8 digit' },
        { field: 'district', code: 'too_long', params: { max: 100 }, message: 'district paling banyak 100 karakter' },
        { field: 'extra', code: 'unknown_field', params: {}, message: 'kolom extra tidak dikenal' },
      ]),
    );
  });
});
