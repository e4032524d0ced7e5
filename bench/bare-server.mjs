/**
 * Child process of bench/run.mjs: the bare baseline. A plain Fastify server (never served in
 * production) running the same SQL as the API's reads through a `pg` pool of the same size, with
 * no Nest, ORM, validation, auth, logging or helmet. Sends {port} over IPC.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { LOAN_BY_ID } from '../dist/src/loans/loan-queries.service.js';
import { evaluateEligibility } from '../dist/src/programs/eligibility/eligibility.js';
// The service's own statements (the same SQL, prepared the same way), without the framework.
import { STUDENT_CONTEXTS } from '../dist/src/programs/eligibility/eligibility-facts.js';

const pool = new pg.Pool({ connectionString: process.env.BENCH_SERVICE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const app = Fastify({ logger: false });

app.get('/eligibility/:programId/:studentId', async (req, reply) => {
  const { programId, studentId } = req.params;
  const { rows: [p] } = await pool.query(`SELECT * FROM programs WHERE id = $1`, [programId]);
  if (!p) return reply.code(404).send({});
  const { rows: [r] } = await pool.query({ ...STUDENT_CONTEXTS, values: [[studentId], programId] });
  if (!r) return reply.code(404).send({});
  const date = new Date().toISOString().slice(0, 10);
  const result = evaluateEligibility({
    student: { grade: r.grade, schoolLevel: r.level, enrolmentStatus: r.enrolment_status, resident: r.resident, socialAid: r.social_aid,
      familyCardNumber: r.family_card_number, guardianPhone: r.guardian_phone, consentWithdrawn: r.consent_withdrawn },
    openCharges: Number(r.open_charges), activeLoans: r.active_loans, familyCardDevices: r.family_card_devices,
    rules: p.rules, program: { startsOn: p.starts_on.toISOString?.().slice(0, 10) ?? p.starts_on, endsOn: p.ends_on.toISOString?.().slice(0, 10) ?? p.ends_on }, date,
  });
  return { programId, studentId, date, ...result };
});

app.get('/loans/:id', async (req, reply) => {
  const { rows: [l] } = await pool.query({ ...LOAN_BY_ID, values: [req.params.id] });
  if (!l) return reply.code(404).send({});
  return l;
});

await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ port: app.server.address().port });
process.on('message', async (m) => {
  // CPU time this process has used so far (µs), so the harness can report CPU per request.
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (m === 'stop') {
    await app.close();
    await pool.end();
    process.exit(0);
  }
});
