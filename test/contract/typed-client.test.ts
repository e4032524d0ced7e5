import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

// The contract from a client's side: types generated from the committed openapi.json with
// openapi-typescript (as the web console and any city system generate theirs), and a program that
// drives every operation through openapi-fetch with them (client/school-year.ts). tsc must accept
// it as written: no casts, no `any`. A schema that stops matching what the program reads, an
// operation renamed or an error subtype lost, and this fails with tsc's own words.
const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const PROGRAM = new URL('./client/school-year.ts', import.meta.url);
const source = readFileSync(PROGRAM, 'utf8');

async function tool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('a client generated from openapi.json', () => {
  it('type-checks the school-year program with no casts', async () => {
    const generated = await tool(['node_modules/openapi-typescript/bin/cli.js', 'openapi.json', '--output', 'test/contract/client/generated/api.d.ts']);
    expect({ step: 'openapi-typescript', ...generated, output: generated.code ? generated.output : '' }).toEqual({ step: 'openapi-typescript', code: 0, output: '' });
    const checked = await tool(['node_modules/typescript/bin/tsc', '-p', 'test/contract/client/tsconfig.json']);
    // tsc's report is the failure message: it names the line and the schema that no longer fit.
    expect(checked.output.trim()).toBe('');
    expect(checked.code).toBe(0);
  }, 120_000);

  it('is written without casts, `any` or suppressed errors', () => {
    // Comments and string literals say what they like; the code is what is checked.
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
    const offences = [
      ...code.matchAll(/\bas\s+(?!const\b)[\w{[(]/g),
      ...code.matchAll(/\bany\b/g),
      ...code.matchAll(/@ts-(ignore|expect-error|nocheck)/g),
      // A non-null assertion (`x!.y`, `x!)`) is a cast too.
      ...code.matchAll(/[\w)\]]!(?=[.)\],;[])/g),
    ].map((m) => m[0]);
    expect(offences).toEqual([]);
  });

  it('calls every operation of the document', () => {
    const doc = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const methods = ['get', 'put', 'post', 'patch', 'delete'];
    const called = new Set([...source.matchAll(/\.(GET|PUT|POST|PATCH|DELETE)\('([^']+)'/g)].map((m) => `${m[1]} ${m[2]}`));
    const missing = Object.entries(doc.paths).flatMap(([path, item]) =>
      methods.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`).filter((operation) => !called.has(operation)),
    );
    // A new operation needs a call in client/school-year.ts, with the body a real client would send.
    expect(missing).toEqual([]);
  });
});
