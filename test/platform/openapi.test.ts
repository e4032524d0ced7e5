import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The committed openapi.json is the API's contract under review: this file fails when it no longer
// matches what the code serves, and `npm run openapi:write` (UPDATE_OPENAPI=1) rewrites it.
const COMMITTED = new URL('../../openapi.json', import.meta.url);
const UPDATE = process.env.UPDATE_OPENAPI === '1';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Operation {
  method: string;
  path: string;
  op: Record<string, Json>;
}

let t: TestApp;
let doc: Record<string, Json>;

beforeAll(async () => {
  t = await startTestApp({ SWAGGER_ENABLED: 'true' });
  const res = await t.http().get('/docs-json');
  expect(res.status).toBe(200);
  doc = JSON.parse(res.text);
  if (UPDATE) writeFileSync(COMMITTED, JSON.stringify(doc, null, 2) + '\n');
});
afterAll(() => t?.close());

function operations(): Operation[] {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method: method.toUpperCase(), path, op: item[method] as Record<string, Json> })),
  );
}
const label = (o: Operation) => `${o.method} ${o.path}`;

/** JSON pointers where two documents differ (at most `max`), so a stale file says what moved. */
function differences(a: Json | undefined, b: Json | undefined, at = '', out: string[] = [], max = 20): string[] {
  if (out.length >= max || isDeepStrictEqual(a, b)) return out;
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) {
    const show = (v: Json | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 80));
    out.push(`${at || '/'}: committed ${show(a)}, served ${show(b)}`);
    return out;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const pointer = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    differences((a as Record<string, Json>)[key], (b as Record<string, Json>)[key], pointer, out, max);
  }
  return out;
}

describe('OpenAPI document', () => {
  it('matches the committed openapi.json', () => {
    if (UPDATE) return;
    const fix = 'Run `npm run openapi:write` to regenerate openapi.json, review the diff, and commit it.';
    if (!existsSync(COMMITTED)) throw new Error(`openapi.json is missing at the repository root. ${fix}`);
    const committed: Json = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    if (!isDeepStrictEqual(committed, doc)) {
      throw new Error(`openapi.json is stale: the API the code serves at /docs-json differs from the committed file. ${fix}\n` +
        `First differences:\n  ${differences(committed, doc).join('\n  ')}`);
    }
  });

  it('gives every operation a summary, a tag and its 4xx answers', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(0);
    const problems = ops.flatMap((o) => {
      const missing: string[] = [];
      if (typeof o.op.summary !== 'string' || !o.op.summary.trim()) missing.push('summary');
      if (!Array.isArray(o.op.tags) || o.op.tags.length === 0) missing.push('tag');
      // Probes and the metrics scrape are public and have no client error to report.
      const mayLack4xx = /^\/(health|metrics)(\/|$)/.test(o.path);
      const statuses = Object.keys((o.op.responses as Record<string, Json>) ?? {});
      if (!mayLack4xx && !statuses.some((s) => /^4(\d\d|XX)$/.test(s))) missing.push('4xx response');
      return missing.map((m) => `${label(o)}: no ${m}`);
    });
    expect(problems).toEqual([]);
  });

  // The only operations anyone may call: logging in, and checking a printed agreement's QR code.
  const PUBLIC = ['POST /api/v1/auth/login', 'GET /api/v1/agreements/{number}/verify'];

  it('declares security on every /api/v1 operation except the public ones', () => {
    const schemes = Object.keys(((doc.components as Record<string, Json>)?.securitySchemes as Record<string, Json>) ?? {});
    const global = (doc.security as Record<string, string[]>[] | undefined) ?? [];
    const unsecured = operations()
      .filter((o) => o.path.startsWith('/api/v1') && !PUBLIC.includes(label(o)))
      .filter((o) => {
        const requirements = (o.op.security as Record<string, string[]>[] | undefined) ?? global;
        // Every alternative must name a defined scheme; `{}` would mean "anonymous allowed".
        return requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0 || Object.keys(r).some((k) => !schemes.includes(k)));
      })
      .map(label);
    expect(unsecured).toEqual([]);
  });

  it('exposes no password or secret hash in any schema', () => {
    const forbidden = new Set(['passwordhash', 'secrethash']); // password_hash, passwordHash, secretHash, secret_hash
    const leaks: string[] = [];
    const walk = (node: Json, at: string) => {
      if (!node || typeof node !== 'object') return;
      if (!Array.isArray(node)) {
        const properties = node.properties;
        if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
          for (const name of Object.keys(properties)) {
            if (forbidden.has(name.toLowerCase().replace(/_/g, ''))) leaks.push(`${at}/properties/${name}`);
          }
        }
        // Query and header parameters are schema-backed fields too.
        if (typeof node.in === 'string' && typeof node.name === 'string' && forbidden.has(node.name.toLowerCase().replace(/_/g, ''))) {
          leaks.push(`${at} (parameter ${node.name})`);
        }
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    walk(doc, '');
    expect(leaks).toEqual([]);
  });
});
