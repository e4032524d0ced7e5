/**
 * Child process of bench/run.mjs: the bare baseline. A plain Fastify server (never served in
 * production) running the same statements as the API's routes, the same way (the same prepared
 * names and texts, sent together where the service sends them together), through a `pg` pool of
 * the same size, for a fixed caller (the benchmark's administrator, BENCH_CALLER_ID /
 * BENCH_CALLER_CV): no Nest, ORM, validation, JWT, logging or helmet. It answers the API's bodies
 * with the service's own functions (the eligibility reasons in words, the loan as the API shows
 * it). So the ratio API / bare is what the framework costs for the same database work and the
 * same answer, not a comparison with less work. Sends {port, statements} over IPC; the harness
 * checks the names against what the API was recorded sending (bench/trace.mjs), and the bodies
 * against the API's for the same request.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { USER_BY_ID } from '../dist/src/auth/credentials.service.js';
import { PROGRAM_BY_ID } from '../dist/src/programs/programs.queries.js';
import { evaluateEligibility } from '../dist/src/programs/eligibility/eligibility.js';
import { renderRuleOutcome } from '../dist/src/programs/eligibility/eligibility-reasons.js';
import { toLoanResponse } from '../dist/src/loans/dto/loan.dto.js';
import { Clock } from '../dist/src/common/clock.js';
import { DEFAULT_LANGUAGE } from '../dist/src/i18n/languages.js';
import { STUDENT_CONTEXTS } from '../dist/src/programs/eligibility/eligibility-facts.js';
import { LOAN_READ_LOGGED } from '../dist/src/students/privacy/student-access-log.js';

const pool = new pg.Pool({ connectionString: process.env.BENCH_SERVICE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const app = Fastify({ logger: false });
const caller = { id: process.env.BENCH_CALLER_ID, cv: Number(process.env.BENCH_CALLER_CV ?? 0), jti: randomUUID() };
const clock = new Clock();
// The benchmark's requests send no Accept-Language: the API answers in the default language.
const run = (client, s, values) => client.query({ name: s.name, text: s.text, values }).then((r) => r.rows);

app.get('/eligibility/:programId/:studentId', async (req, reply) => {
  const { programId, studentId } = req.params;
  // The caller's row, the program and the student's facts, written together on one connection.
  const client = await pool.connect();
  client.pipeline = true;
  let user, p, r;
  try {
    [[user], [p], [r]] = await Promise.all([run(client, USER_BY_ID, [caller.id, caller.jti]), run(client, PROGRAM_BY_ID, [programId]), run(client, STUDENT_CONTEXTS, [[studentId], programId])]);
  } finally {
    client.pipeline = false;
    client.release();
  }
  if (!user?.active) return reply.code(401).send({});
  if (!p || !r) return reply.code(404).send({});
  const date = clock.today();
  const result = evaluateEligibility({
    student: { grade: r.grade, schoolLevel: r.level, enrolmentStatus: r.enrolment_status, resident: r.resident, socialAid: r.social_aid,
      familyCardNumber: r.family_card_number, guardianPhone: r.guardian_phone, consentWithdrawn: r.consent_withdrawn },
    openCharges: Number(r.open_charges), activeLoans: r.active_loans, familyCardDevices: r.family_card_devices,
    rules: p.rules, program: { startsOn: p.startsOn, endsOn: p.endsOn }, date,
  });
  return { programId, studentId, date, ...result, rules: result.rules.map((o) => renderRuleOutcome(o, DEFAULT_LANGUAGE)) };
});

app.get('/loans/:id', async (req, reply) => {
  // The caller's row, the loan and its access-log row: the API's one statement.
  const [l] = await run(pool, LOAN_READ_LOGGED, [caller.id, caller.jti, req.params.id, caller.cv, new Date(), String(req.id)]);
  if (!l.caller_active) return reply.code(401).send({});
  if (l.id === null) return reply.code(404).send({});
  return toLoanResponse(l, clock.today(), DEFAULT_LANGUAGE);
});

await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ port: app.server.address().port, statements: {
  'loan by id': [[LOAN_READ_LOGGED.name]],
  eligibility: [[USER_BY_ID.name, PROGRAM_BY_ID.name, STUDENT_CONTEXTS.name]],
} });
process.on('message', async (m) => {
  // CPU time this process has used so far (µs), so the harness can report CPU per request.
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (m === 'stop') {
    await app.close();
    await pool.end();
    process.exit(0);
  }
});
