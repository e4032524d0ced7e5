import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { type OpenApiDocument, type Operation, resolve, type Schema } from './openapi-doc.js';
import type { Req } from './world.js';

/**
 * fast-check arbitraries built from an operation's OpenAPI schemas: valid values (to send random
 * well-formed requests) and mutations of a known-good request that break the schema in one place
 * (a missing required field, a wrong type, an unknown field, a string too long, a malformed id or
 * date, a body that is not an object, a wrong content type, a tampered path or query).
 *
 * A case is `invalid` when the document itself says the request is wrong: the service must then
 * refuse it (4xx) and change nothing. Edge cases (unicode, NUL bytes, boundary numbers, random
 * valid bodies) may succeed; they must only never break the service or its contract.
 */

export interface Case {
  kind: string;
  req: Req;
  invalid: boolean;
}

const DATE_EXAMPLE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_EXAMPLE = /^\d{4}-\d{2}-\d{2}T/;
const isDate = (s: Schema) => typeof s.example === 'string' && DATE_EXAMPLE.test(s.example);
const isDateTime = (s: Schema) => typeof s.example === 'string' && DATE_TIME_EXAMPLE.test(s.example);

/** Strings that PostgreSQL, JSON, terminals and naive code find awkward. */
export const AWKWARD_STRINGS = [
  'Siti Nurhaliza 🎒💻',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫ',
  '𝕃𝕒𝕡𝕥𝕠𝕡',
  '\ud83d',
  "Robert'); DROP TABLE students;--",
  '%s%s%s%n',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  ' ',
  '\t\r\n',
  'ـ'.repeat(40),
];

// ---------------------------------------------------------------- valid values

export function validValue(doc: OpenApiDocument, schema: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  if (!s || depth > 5) return fc.constant(undefined);
  const nullable = (a: fc.Arbitrary<unknown>) => (s.nullable ? fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) }) : a);
  if (s.enum) return nullable(fc.constantFrom(...s.enum));
  if (s.oneOf || s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf)!.map((o) => validValue(doc, o, ids, depth + 1)));
  switch (s.type) {
    case 'string': {
      const max = Math.min(s.maxLength ?? 60, 60);
      const min = s.minLength ?? 1;
      if (s.format === 'uuid') return nullable(ids.length ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid());
      if (s.format === 'email') return nullable(fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 254)));
      if (s.format === 'binary') return fc.string();
      if (s.pattern) return nullable(fc.stringMatching(new RegExp(s.pattern)));
      if (isDate(s)) return nullable(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
      if (isDateTime(s)) return nullable(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString()));
      return nullable(
        fc.oneof(
          { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, max) }) },
          { weight: 1, arbitrary: fc.constantFrom(...AWKWARD_STRINGS.filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity))) },
        ),
      );
    }
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -1_000_000;
      const max = s.maximum ?? 1_000_000;
      return nullable(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }) }, { weight: 1, arbitrary: fc.constantFrom(min, max) }));
    }
    case 'boolean':
      return nullable(fc.boolean());
    case 'array':
      return nullable(fc.array(validValue(doc, s.items, ids, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) }));
    case 'object': {
      const properties = s.properties ?? {};
      if (!Object.keys(properties).length) return nullable(fc.dictionary(fc.constantFrom('charger', 'bag', 'stylus', 'ramGb', 'cpu'), fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 64 }), fc.string({ maxLength: 10 })), { maxKeys: 3 }));
      const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validValue(doc, v, ids, depth + 1)]));
      return nullable(fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in properties) }));
    }
  }
  return fc.jsonValue({ maxDepth: 2 });
}

// ---------------------------------------------------------------- schema-breaking values

/** Values of another JSON type than the schema's. */
function wrongTypes(s: Schema): unknown[] {
  const all: Record<string, unknown[]> = {
    string: [12345, true, ['x'], { x: 1 }],
    number: ['12', true, [1], { n: 1 }, '', 'NaN'],
    integer: ['12', true, [1], { n: 1 }],
    boolean: ['true', 1, 0, [], {}],
    array: ['x', { 0: 'x' }, 5, true],
    object: ['x', [], 5, true],
  };
  return all[s.type ?? 'string'] ?? all.string;
}

function brokenStrings(s: Schema): { kind: string; values: unknown[] }[] {
  const out: { kind: string; values: unknown[] }[] = [];
  if (s.maxLength !== undefined) {
    out.push({ kind: 'string too long', values: ['x'.repeat(s.maxLength + 1), '🎒'.repeat(s.maxLength + 1), 'y'.repeat(100_000)] });
  }
  if (s.format === 'uuid') {
    const u = randomUUID();
    out.push({
      kind: 'malformed uuid',
      values: ['not-a-uuid', '', u.slice(0, 35), `${u}0`, u.replace(/-/g, ''), `{${u}}`, u.replace(/[0-9a-f]$/, 'g'), "' OR '1'='1", '00000000-0000-0000-0000-00000000000z'],
    });
  }
  if (s.pattern) out.push({ kind: 'pattern violated', values: ['', 'abc', '1'.repeat(60), '１２３４５６７８', '1234-5678', '+'].filter((v) => !new RegExp(s.pattern!).test(v)) });
  if (s.enum) out.push({ kind: 'not in enum', values: ['NOPE', '', String(s.enum[0]).toUpperCase() === s.enum[0] ? String(s.enum[0]).toLowerCase() : String(s.enum[0]).toUpperCase(), `${s.enum[0]} `].filter((v) => !s.enum!.includes(v)) });
  if (isDate(s)) out.push({ kind: 'malformed date', values: ['2027-02-30', '2027-13-01', '2027-00-10', '2027-1-1', '27-01-01', '2027/01/01', 'yesterday', '', '2027-02-29'] });
  if (isDateTime(s)) out.push({ kind: 'malformed date-time', values: ['2027-02-30T09:30:00+07:00', 'not a time', '', '2027-01-20T25:00:00Z'] });
  if (s.format === 'email') out.push({ kind: 'malformed email', values: ['no-at-sign', '@x.y', 'a@', ''] });
  return out;
}

function brokenNumbers(s: Schema): unknown[] {
  const out: unknown[] = [];
  if (s.minimum !== undefined) out.push(s.minimum - 1, -1e15);
  if (s.maximum !== undefined) out.push(s.maximum + 1, 1e300, Number.MAX_SAFE_INTEGER + 2);
  return out;
}

interface Slot {
  /** Where in the body: keys and array indexes. */
  at: (string | number)[];
  schema: Schema;
  required: boolean;
}

/** Every property of a body (nested objects, first item of arrays) that the baseline holds. */
function slots(doc: OpenApiDocument, schema: Schema | undefined, value: unknown, at: (string | number)[] = [], out: Slot[] = []): Slot[] {
  const s = resolve(doc, schema);
  if (!s || at.length > 4) return out;
  if (s.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const child = (value as Record<string, unknown>)[name];
      const required = (s.required ?? []).includes(name);
      if (child === undefined && !required) {
        out.push({ at: [...at, name], schema: resolve(doc, prop)!, required });
        continue;
      }
      out.push({ at: [...at, name], schema: resolve(doc, prop)!, required });
      slots(doc, prop, child, [...at, name], out);
    }
  }
  if (s.type === 'array' && Array.isArray(value) && value.length) slots(doc, s.items, value[0], [...at, 0], out);
  return out;
}

function setAt(body: unknown, at: (string | number)[], value: unknown | typeof DELETE): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof at[at.indexOf(key) + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = at[at.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}
const DELETE = Symbol('delete');
function getAt(body: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined), body);
}
const label = (at: (string | number)[]) => at.join('.');

/** The parent object schema of a slot, to know which extra keys are unknown there. */
const EXTRA_KEYS = ['role', 'schoolId', 'status', 'id', 'createdAt', 'updatedAt', 'version', 'passwordHash', 'isAdmin', 'actorId', 'hash', 'x'];

// ---------------------------------------------------------------- cases for one operation

export interface CaseContext {
  doc: OpenApiDocument;
  op: Operation;
  /** A request the service accepts (from world.ts). */
  baseline: Req;
  /** Real ids to put in uuid fields of random valid bodies. */
  ids: string[];
  bodyLimitBytes: number;
  importLimitBytes: number;
}

function jsonSchemaOf(op: Operation): Schema | undefined {
  return op.body?.content?.['application/json']?.schema;
}

/** Schema-breaking cases: the document says each is wrong. */
export function invalidCases(ctx: CaseContext): fc.Arbitrary<Case> {
  const { doc, op, baseline } = ctx;
  const arbitraries: fc.Arbitrary<Case>[] = [];
  const bodySchema = jsonSchemaOf(op);
  const body = baseline.body;
  const withBody = (kind: string, value: unknown): Case => ({ kind, invalid: true, req: { ...baseline, body: value } });
  const raw = (kind: string, text: string, contentType: string): Case => ({
    kind,
    invalid: true,
    req: { ...baseline, body: undefined, csv: undefined, raw: { text, contentType } } as Req,
  });

  if (bodySchema && body !== undefined) {
    const all = slots(doc, bodySchema, body);
    const required = all.filter((s) => s.required);
    if (required.length) arbitraries.push(fc.constantFrom(...required).map((s) => withBody(`missing required ${label(s.at)}`, setAt(body, s.at, DELETE))));
    const notNullable = required.filter((s) => !s.schema.nullable);
    if (notNullable.length) arbitraries.push(fc.constantFrom(...notNullable).map((s) => withBody(`null for required ${label(s.at)}`, setAt(body, s.at, null))));
    if (all.length) {
      arbitraries.push(
        fc.constantFrom(...all).chain((s) => fc.constantFrom(...wrongTypes(s.schema)).map((v) => withBody(`wrong type at ${label(s.at)}: ${JSON.stringify(v)}`, setAt(body, s.at, v)))),
      );
    }
    const stringSlots = all.flatMap((s) => (s.schema.type === 'string' ? brokenStrings(s.schema).map((b) => ({ slot: s, ...b })) : []));
    if (stringSlots.length) {
      arbitraries.push(
        fc.constantFrom(...stringSlots).chain((b) => fc.constantFrom(...b.values).map((v) => withBody(`${b.kind} at ${label(b.slot.at)}: ${JSON.stringify(v).slice(0, 40)}`, setAt(body, b.slot.at, v)))),
      );
    }
    const numberSlots = all.filter((s) => (s.schema.type === 'number' || s.schema.type === 'integer') && brokenNumbers(s.schema).length);
    if (numberSlots.length) {
      arbitraries.push(fc.constantFrom(...numberSlots).chain((s) => fc.constantFrom(...brokenNumbers(s.schema)).map((v) => withBody(`out of range at ${label(s.at)}: ${v}`, setAt(body, s.at, v)))));
    }
    // Unknown fields, at the top or inside a nested object of the schema.
    const objects = [{ at: [] as (string | number)[], schema: resolve(doc, bodySchema)! }, ...all.filter((s) => s.schema.type === 'object' && Object.keys(s.schema.properties ?? {}).length)];
    arbitraries.push(
      fc
        .tuple(fc.constantFrom(...objects), fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 }))
        .filter(([o, key]) => !(key in (o.schema.properties ?? {})))
        .map(([o, key, value]) => withBody(`unknown field ${label([...o.at, key])}`, setAt(body, [...o.at, key], value))),
    );
    arbitraries.push(fc.constantFrom<unknown>([], 'a string', 42, true, [body]).map((v) => withBody(`body is ${JSON.stringify(v).slice(0, 30)}`, v)));
    // Nest's ValidationPipe reads a JSON `null` body as `{}`: invalid only where a field is required.
    if (resolve(doc, bodySchema)?.required?.length) arbitraries.push(fc.constant(raw('JSON null body', 'null', 'application/json')));
    arbitraries.push(fc.constant(raw('empty JSON body', '', 'application/json')));
    arbitraries.push(fc.constantFrom('{"a":', '{a:1}', "{'a':1}", '[1,2', '\u0000', '{"x":1}}').map((text) => raw(`malformed JSON ${JSON.stringify(text)}`, text, 'application/json')));
    arbitraries.push(
      fc.constantFrom('{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}').map((text) => raw(`prototype poisoning ${text.slice(2, 15)}`, text, 'application/json')),
    );
    arbitraries.push(fc.constant(raw('deeply nested JSON', `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'application/json')));
    arbitraries.push(fc.constant(raw('oversized body', JSON.stringify({ ...(body as object), padding: 'x'.repeat(ctx.bodyLimitBytes + 1024) }), 'application/json')));
    arbitraries.push(
      fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=xyz', 'text/csv', 'application/octet-stream')
        .map((type) => raw(`wrong content type ${type}`, type.includes('urlencoded') ? 'a=1&b=2' : JSON.stringify(body), type)),
    );
  }
  if (baseline.csv !== undefined) {
    arbitraries.push(fc.constantFrom('application/json', 'application/xml', 'application/octet-stream').map((type) => raw(`wrong content type ${type}`, '{"a":1}', type)));
    arbitraries.push(fc.constant(raw('oversized CSV', 'asset_tag\n' + 'x\n'.repeat(Math.ceil(ctx.importLimitBytes / 2) + 1024), 'text/csv')));
    // A quote where csv-parse does not allow one (INVALID_OPENING_QUOTE, a closing quote followed
    // by text, a quote never closed), anywhere in the baseline's data rows: 400, never a 500.
    const csv = baseline.csv;
    const headerEnd = csv.indexOf('\n') + 1;
    arbitraries.push(
      fc
        .tuple(fc.integer({ min: headerEnd, max: csv.length - 1 }), fc.constantFrom('"', 'x"y', '"a"b', 'Nur "Ayu"', '"unclosed'))
        .map(([at, insert]) => raw(`stray quote ${JSON.stringify(insert)} at ${at}`, csv.slice(0, at) + insert + csv.slice(at), 'text/csv')),
    );
    const part = (boundary: string) => `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="f.csv"\r\ncontent-type: text/csv\r\n\r\n${csv}`;
    arbitraries.push(
      fc.constantFrom(
        raw('multipart without a boundary', `${part('b0')}\r\n--b0--\r\n`, 'multipart/form-data'),
        raw('multipart without its closing boundary', part('b1'), 'multipart/form-data; boundary=b1'),
        raw('multipart cut inside the part headers', '--b2\r\ncontent-disposition: form-data; name="fi', 'multipart/form-data; boundary=b2'),
        raw('multipart with another boundary than declared', `${part('b3')}\r\n--b3--\r\n`, 'multipart/form-data; boundary=other'),
      ),
    );
  }

  // Path parameters.
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  if (pathParams.length) {
    const segments = op.path.split('/');
    const actual = baseline.path.split('/');
    const positions = segments.flatMap((s, i) => (s.startsWith('{') ? [{ i, name: s.slice(1, -1), schema: pathParams.find((p) => `{${p.name}}` === s)?.schema }] : []));
    const numeric = (schema: Schema | undefined) => schema?.type === 'number' || schema?.type === 'integer';
    const badIds = (value: string, schema: Schema | undefined) => [
      'not-a-uuid',
      ...(numeric(schema) ? [] : ['1']),
      '-1',
      'null',
      '%00',
      '%zz',
      '%C3%A9',
      '%F0%9F%8E%92',
      'x'.repeat(2000),
      `${value}x`,
      `${value}%00`,
      '%2e%2e',
      `${value}%2f..`,
      '%252e%252e',
      "'%20OR%201=1--",
      ...(numeric(schema) ? ['0', '1.5', '99999999999999999999999', 'NaN'] : []),
    ];
    arbitraries.push(
      fc
        .constantFrom(...positions)
        .chain((p) => fc.constantFrom(...badIds(actual[p.i], p.schema)).map((bad) => ({ p, bad })))
        .map(({ p, bad }) => {
          const path = actual.map((s, i) => (i === p.i ? bad : s)).join('/');
          return { kind: `path {${p.name}} = ${bad.slice(0, 30)}`, invalid: true, req: { ...baseline, path } };
        }),
    );
    arbitraries.push(
      fc.constantFrom('/..', '/../..', '/.', '/%2e%2e', '/x').map((suffix) => ({ kind: `path + ${suffix}`, invalid: true, req: { ...baseline, path: `${baseline.path}${suffix}` } })),
    );
  }

  // Query parameters.
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  if (queryParams.length) {
    arbitraries.push(fc.constantFrom('x', 'role', 'sort', 'isAdmin').map((name) => ({ kind: `unknown query ${name}`, invalid: true, req: { ...baseline, query: { ...baseline.query, [name]: '1' } } })));
    const badQuery = (p: { name: string; schema?: Schema }): string[] => {
      const s = resolve(doc, p.schema) ?? {};
      if (p.name === 'cursor') return ['garbage', Buffer.from('["x"]').toString('base64url'), Buffer.from('[1,2,3,4,5,6]').toString('base64url'), 'A'.repeat(5000), '%00'];
      if (s.type === 'number' || s.type === 'integer') return ['0', '-1', String((s.maximum ?? 500) + 1), 'abc', '1.5', '', '99999999999999999999999', 'Infinity'].filter((v) => !(Number(v) >= (s.minimum ?? -Infinity) && Number(v) <= (s.maximum ?? Infinity) && Number.isInteger(Number(v)) && v !== ''));
      if (s.enum) return ['NOPE', ''];
      if (s.format === 'uuid') return ['nope', '1', "' OR 1=1"];
      if (isDate(s)) return ['2027-02-30', 'nope'];
      if (s.type === 'boolean') return ['maybe', '2'];
      if (s.maxLength !== undefined) return ['q'.repeat(s.maxLength + 1)];
      return [];
    };
    const breakable = queryParams.map((p) => ({ p, values: badQuery(p) })).filter((x) => x.values.length);
    if (breakable.length) {
      arbitraries.push(
        fc
          .constantFrom(...breakable)
          .chain(({ p, values }) => fc.constantFrom(...values).map((v) => ({ kind: `query ${p.name}=${v.slice(0, 30)}`, invalid: true, req: { ...baseline, query: { ...baseline.query, [p.name]: v } } }))),
      );
    }
  }

  // Headers the operation documents.
  const headers = op.parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
  if (headers.includes('idempotency-key')) {
    arbitraries.push(fc.constantFrom('has spaces', 'k'.repeat(201), 'tab\there').map((key) => ({ kind: `Idempotency-Key ${JSON.stringify(key).slice(0, 20)}`, invalid: true, req: { ...baseline, headers: { ...baseline.headers, 'idempotency-key': key } } })));
  }
  if (headers.includes('if-match')) {
    arbitraries.push(fc.constantFrom('abc', '"-1"', '"1.5"', '"x"', 'W/', '"99999999999999999999"').map((v) => ({ kind: `If-Match ${v}`, invalid: true, req: { ...baseline, headers: { ...baseline.headers, 'if-match': v } } })));
  }
  return arbitraries.length ? fc.oneof(...arbitraries) : fc.constant({ kind: 'no input to break', invalid: false, req: baseline });
}

/** Well-formed and edge-case requests: random valid bodies, awkward strings, boundary numbers. */
export function edgeCases(ctx: CaseContext): fc.Arbitrary<Case> {
  const { doc, op, baseline, ids } = ctx;
  const arbitraries: fc.Arbitrary<Case>[] = [fc.constant({ kind: 'baseline', invalid: false, req: baseline })];
  const bodySchema = jsonSchemaOf(op);
  if (bodySchema) {
    arbitraries.push(validValue(doc, bodySchema, ids).map((body) => ({ kind: 'random valid body', invalid: false, req: { ...baseline, body } })));
    const strings = slots(doc, bodySchema, baseline.body).filter((s) => s.schema.type === 'string' && !s.schema.format && !s.schema.pattern && !s.schema.enum && !isDate(s.schema) && !isDateTime(s.schema));
    if (strings.length && baseline.body !== undefined) {
      arbitraries.push(
        fc
          .tuple(fc.constantFrom(...strings), fc.oneof(fc.constantFrom(...AWKWARD_STRINGS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })))
          .filter(([s, v]) => v.length <= (s.schema.maxLength ?? Infinity))
          .map(([s, v]) => ({ kind: `awkward string at ${label(s.at)}: ${JSON.stringify(v).slice(0, 30)}`, invalid: false, req: { ...baseline, body: setAt(baseline.body, s.at, v) } })),
      );
    }
    const numbers = slots(doc, bodySchema, baseline.body).filter((s) => s.schema.type === 'number' || s.schema.type === 'integer');
    if (numbers.length && baseline.body !== undefined) {
      arbitraries.push(
        fc
          .constantFrom(...numbers)
          .chain((s) => fc.constantFrom(s.schema.minimum ?? 0, s.schema.maximum ?? 2 ** 31, 1.5, -0, 0.1 + 0.2).map((v) => ({ s, v })))
          .map(({ s, v }) => ({ kind: `boundary number at ${label(s.at)}: ${v}`, invalid: false, req: { ...baseline, body: setAt(baseline.body, s.at, v) } })),
      );
    }
  }
  if (bodySchema && baseline.body !== undefined) {
    // Leading and trailing blanks are trimmed before validation: accepted or refused, never a 5xx.
    const padded = slots(doc, bodySchema, baseline.body).filter((s) => s.schema.type === 'string' && typeof getAt(baseline.body, s.at) === 'string');
    if (padded.length) {
      arbitraries.push(fc.constantFrom(...padded).map((s) => ({ kind: `padded value at ${label(s.at)}`, invalid: false, req: { ...baseline, body: setAt(baseline.body, s.at, ` ${getAt(baseline.body, s.at)}\n`) } })));
    }
  }
  if (op.parameters.some((p) => p.in === 'query')) {
    // Nest strips `__proto__` and `constructor` from a query before validating it (so they are not
    // refused as unknown); they must at least do no harm.
    arbitraries.push(
      fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]').map((name) => ({
        kind: `query ${name}`,
        invalid: false,
        req: { ...baseline, query: { ...baseline.query, [name]: '1' } },
      })),
    );
  }
  if (op.parameters.some((p) => p.in === 'path')) {
    arbitraries.push(fc.constant({ kind: 'path id?x=1', invalid: false, req: { ...baseline, path: `${baseline.path}?x=1` } }));
    // Numeric path parameters go through Number() first (the global pipe's `transform`): these
    // read as 1, 1000, 1, 1; accepted or refused, never a 5xx.
    const numericParams = op.parameters.filter((p) => p.in === 'path' && (p.schema?.type === 'number' || p.schema?.type === 'integer'));
    if (numericParams.length) {
      const segments = op.path.split('/');
      const actual = baseline.path.split('/');
      arbitraries.push(
        fc.tuple(fc.constantFrom(...numericParams), fc.constantFrom('0x1', '1e3', '+1', '1.0', '%201')).map(([p, v]) => ({
          kind: `numeric path {${p.name}} = ${v}`,
          invalid: false,
          req: { ...baseline, path: actual.map((s, i) => (segments[i] === `{${p.name}}` ? v : s)).join('/') },
        })),
      );
    }
    arbitraries.push(fc.constant({ kind: 'path with a random id', invalid: false, req: { ...baseline, path: baseline.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, randomUUID()) } }));
  }
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  if (queryParams.length) {
    arbitraries.push(
      fc
        .record(Object.fromEntries(queryParams.map((p) => [p.name, validValue(doc, p.schema, ids).map((v) => (v === null || v === undefined ? undefined : String(v)))])), { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) })
        .map((q) => ({ kind: 'random valid query', invalid: false, req: { ...baseline, query: Object.fromEntries(Object.entries({ ...baseline.query, ...q }).filter(([, v]) => v !== undefined)) as Record<string, string> } })),
    );
  }
  if (baseline.csv !== undefined) {
    arbitraries.push(fc.string({ unit: 'grapheme', maxLength: 300 }).map((csv) => ({ kind: 'random CSV', invalid: false, req: { ...baseline, csv } })));
  }
  return fc.oneof(...arbitraries);
}
