import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { fieldError, type FieldError, invalid, invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { prepared, runStatement } from '../database/statements.js';
import type { EligibilityRules } from './eligibility/eligibility-rules.js';
import {
  type CreateProgramRequest,
  type NewTermsRequest,
  type ProgramQuery,
  type ProgramResponse,
  type QuotasResponse,
  type SetQuotasRequest,
  type TermsResponse,
  toProgramResponse,
  type UpdateProgramRequest,
} from './dto/program.dto.js';
import { Program } from './program.entity.js';

/** Programs, their versioned agreement terms and their quotas. Program admins write; all read. */
// Every eligibility check reads its program: a prepared statement in the entity's shape (TypeORM's
// query builder for this one row was 7% of an eligibility check's CPU; docs/benchmarks.md "Round two").
export const PROGRAM_BY_ID = prepared<Program>(
  'program_by_id',
  `SELECT id, code, name, starts_on::text AS "startsOn", ends_on::text AS "endsOn", loan_due_date::text AS "loanDueDate",
          loan_days AS "loanDays", max_extensions AS "maxExtensions", max_term_days AS "maxTermDays", rules,
          terms_version AS "termsVersion", version, created_at AS "createdAt", updated_at AS "updatedAt"
   FROM programs WHERE id = $1`,
);

@Injectable()
export class ProgramsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateProgramRequest, idempotency?: IdempotencyRequest): Promise<ProgramResponse> {
    assertRole(actor, ['program_admin']);
    const { termsText, ...fields } = request;
    assertConsistent({ ...fields, loanDueDate: fields.loanDueDate ?? null, loanDays: fields.loanDays ?? null, rules: fields.rules ?? {} });
    return this.transactions.run(idempotency, async (tx) => {
      const program = await tx.save(
        tx.create(Program, {
          ...fields,
          loanDueDate: fields.loanDueDate ?? null,
          loanDays: fields.loanDays ?? null,
          maxExtensions: fields.maxExtensions ?? 2,
          maxTermDays: fields.maxTermDays ?? null,
          rules: plain(fields.rules),
          termsVersion: 1,
        }),
      );
      await tx.query(`INSERT INTO program_terms (program_id, version, text, created_by) VALUES ($1, 1, $2, $3)`, [program.id, termsText, actor.id]);
      const after = toProgramResponse(program);
      await this.audit.record(tx, actor, { action: 'program.created', entityType: 'program', entityId: program.id, schoolId: null, after: { ...after, termsVersion: 1 } });
      return after;
    });
  }

  async list(query: ProgramQuery): Promise<Page<ProgramResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(Program).createQueryBuilder('p');
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(p.starts_on, p.id) < (:starts, :id)', { starts: cursor[0], id: cursor[1] });
    const rows = await qb.orderBy('p.starts_on', 'DESC').addOrderBy('p.id', 'DESC').limit(limit + 1).getMany();
    return toPage(rows, limit, (p) => [p.startsOn, p.id], toProgramResponse);
  }

  async get(id: string): Promise<ProgramResponse> {
    return toProgramResponse(await this.find(id));
  }

  async find(id: string): Promise<Program> {
    const [program] = await runStatement(this.dataSource.manager, PROGRAM_BY_ID, [id]);
    if (!program) throw notFound('program_not_found');
    return program;
  }

  update(actor: Actor, id: string, request: UpdateProgramRequest, expectedVersion?: number): Promise<ProgramResponse> {
    assertRole(actor, ['program_admin']);
    if (Object.values(request).every((v) => v === undefined)) throw invalidField('body', 'nothing_to_change');
    if (request.loanDays !== undefined && request.loanDueDate !== undefined) {
      throw invalidField('loanDays', 'due_date_or_days');
    }
    return this.transactions.run(undefined, async (tx) => {
      const program = await tx.findOne(Program, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!program) throw notFound('program_not_found');
      assertVersion(program.version, expectedVersion);
      const before = toProgramResponse(program);
      const { rules, ...fields } = request;
      tx.merge(Program, program, fields);
      if (rules) program.rules = plain(rules);
      if (request.loanDays !== undefined) program.loanDueDate = null;
      if (request.loanDueDate !== undefined) program.loanDays = null;
      assertConsistent(program);
      const after = toProgramResponse(await tx.save(program));
      await this.audit.record(tx, actor, { action: 'program.updated', entityType: 'program', entityId: id, schoolId: null, before, after });
      return after;
    });
  }

  /** Editing the terms makes a new version; loans keep the version they were signed under. */
  addTerms(actor: Actor, id: string, request: NewTermsRequest, idempotency?: IdempotencyRequest): Promise<TermsResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      const program = await tx.findOne(Program, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!program) throw notFound('program_not_found');
      program.termsVersion += 1;
      await tx.save(program);
      const [row] = await tx.query(
        `INSERT INTO program_terms (program_id, version, text, created_by) VALUES ($1, $2, $3, $4) RETURNING created_at`,
        [id, program.termsVersion, request.text, actor.id],
      );
      const terms = { programId: id, version: program.termsVersion, text: request.text, createdAt: row.created_at.toISOString() };
      await this.audit.record(tx, actor, { action: 'program.terms_changed', entityType: 'program', entityId: id, schoolId: null, after: { version: terms.version } });
      return terms;
    });
  }

  async listTerms(id: string): Promise<TermsResponse[]> {
    await this.find(id);
    const rows = await this.dataSource.query(`SELECT version, text, created_at FROM program_terms WHERE program_id = $1 ORDER BY version`, [id]);
    return rows.map((r: { version: number; text: string; created_at: Date }) => ({ programId: id, version: r.version, text: r.text, createdAt: r.created_at.toISOString() }));
  }

  async getTerms(id: string, version: number): Promise<TermsResponse> {
    const [row] = await this.dataSource.query(`SELECT text, created_at FROM program_terms WHERE program_id = $1 AND version = $2`, [id, version]);
    if (!row) throw notFound('terms_not_found');
    return { programId: id, version, text: row.text, createdAt: row.created_at.toISOString() };
  }

  setQuotas(actor: Actor, id: string, request: SetQuotasRequest): Promise<QuotasResponse> {
    assertRole(actor, ['program_admin']);
    const schools = request.quotas.map((q) => q.schoolId);
    if (new Set(schools).size !== schools.length) throw invalidField('quotas', 'school_repeated');
    return this.transactions.run(undefined, async (tx) => {
      const program = await tx.findOne(Program, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!program) throw notFound('program_not_found');
      const known = await tx.query(`SELECT id FROM schools WHERE id = ANY($1::uuid[])`, [schools]);
      const unknown = schools.filter((s) => !known.some((k: { id: string }) => k.id === s));
      if (unknown.length) throw invalid(unknown.map((s) => fieldError('quotas', 'no_school_with_id', { id: s })));
      const before = await this.quotas(id, tx.query.bind(tx));
      await tx.query(`DELETE FROM program_quotas WHERE program_id = $1`, [id]);
      if (request.quotas.length) {
        await tx.query(
          `INSERT INTO program_quotas (program_id, school_id, quota) SELECT $1, s, q FROM unnest($2::uuid[], $3::int[]) AS t(s, q)`,
          [id, schools, request.quotas.map((q) => q.quota)],
        );
      }
      const after = { quotas: request.quotas.map((q) => ({ schoolId: q.schoolId, quota: q.quota })) };
      await this.audit.record(tx, actor, { action: 'program.quotas_set', entityType: 'program', entityId: id, schoolId: null, before, after });
      return after;
    });
  }

  async getQuotas(id: string): Promise<QuotasResponse> {
    await this.find(id);
    return this.quotas(id, this.dataSource.query.bind(this.dataSource));
  }

  private async quotas(id: string, query: (sql: string, params: unknown[]) => Promise<{ school_id: string; quota: number }[]>): Promise<QuotasResponse> {
    const rows = await query(`SELECT school_id, quota FROM program_quotas WHERE program_id = $1 ORDER BY school_id`, [id]);
    return { quotas: rows.map((r) => ({ schoolId: r.school_id, quota: r.quota })) };
  }
}

/** Rules arrive as class instances from validation; store them as plain JSON. */
const plain = (rules: EligibilityRules | undefined): EligibilityRules => JSON.parse(JSON.stringify(rules ?? {}));

/** Cross-field checks that single-field validation cannot make; each names the bad field or rule. */
function assertConsistent(p: { startsOn: string; endsOn: string; loanDueDate: string | null; loanDays: number | null; rules: EligibilityRules }): void {
  const errors: FieldError[] = [];
  if (p.endsOn < p.startsOn) errors.push(fieldError('endsOn', 'ends_before_start'));
  if ((p.loanDueDate === null) === (p.loanDays === null)) errors.push(fieldError('loanDays', 'due_date_or_days'));
  if (p.loanDueDate !== null && p.loanDueDate < p.startsOn) errors.push(fieldError('loanDueDate', 'due_before_start'));
  if (p.rules.grades && p.rules.grades.min > p.rules.grades.max) errors.push(fieldError('rules.grades', 'min_above_max'));
  if (p.rules.schoolLevels && p.rules.schoolLevels.length === 0) errors.push(fieldError('rules.schoolLevels', 'empty_levels'));
  if (errors.length) throw invalid(errors, 'program_inconsistent');
}
