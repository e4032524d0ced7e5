import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { STUDENT_CONTEXTS } from '../../src/programs/eligibility/eligibility-facts.js';
import { type Fixture, newFixture, newProgram, newStudent } from '../loans/loan-fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * STUDENT_CONTEXTS runs for every issue and every eligibility check. Planning it cost more than
 * running it, so it must be planned once per connection: after the plan cache's five custom
 * plans, PostgreSQL switches to the generic plan (pg_prepared_statements counts both), for one
 * student at a time and for a batch.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
}, 120_000);
afterAll(() => t?.close());

describe('STUDENT_CONTEXTS', () => {
  it('is planned once per connection (a generic plan), and answers one row per student', async () => {
    const program = await newProgram(t, f.cast.admin);
    const students = await Promise.all(Array.from({ length: 4 }, (_, i) => newStudent(t, i % 2 ? f.cast.schoolA.id : f.cast.schoolB.id)));
    await t.db.query('ANALYZE');
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      const run = (ids: string[]) => c.query({ name: STUDENT_CONTEXTS.name, text: STUDENT_CONTEXTS.text, values: [ids, program.id] });
      for (let i = 0; i < 12; i++) expect((await run([students[i % 4]])).rows.map((r) => r.id)).toEqual([students[i % 4]]);
      const batch = await run([...students, students[0]]);
      expect(batch.rows.map((r) => r.id).sort()).toEqual([...students].sort());
      const { rows: [counts] } = await c.query(`SELECT generic_plans::int AS generic_plans, custom_plans::int AS custom_plans FROM pg_prepared_statements WHERE name = $1`, [STUDENT_CONTEXTS.name]);
      expect(counts.custom_plans).toBeLessThanOrEqual(5);
      expect(counts.generic_plans).toBeGreaterThanOrEqual(8);

      // Why it stays generic on a city's data too: the generic plan's estimated cost is no more
      // than a custom plan's for one student (the plan cache keeps custom plans when the generic
      // one looks dearer; for `= ANY($1)` alone PostgreSQL assumes 10 students: 10 times the cost).
      await c.query(`PREPARE contexts(uuid[], uuid) AS ${STUDENT_CONTEXTS.text}`);
      const cost = async (mode: string) => {
        await c.query(`SET plan_cache_mode = ${mode}`);
        const { rows: [plan] } = await c.query(`EXPLAIN (FORMAT JSON) EXECUTE contexts('{${students[1]}}', '${program.id}')`);
        return plan['QUERY PLAN'][0].Plan['Total Cost'] as number;
      };
      expect(await cost('force_generic_plan')).toBeLessThanOrEqual((await cost('force_custom_plan')) * 1.2);
    } finally {
      await c.end();
    }
  });
});
