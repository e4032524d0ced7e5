import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertRole } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { fieldError, type FieldError, invalid, invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { runStatement } from '../database/statements.js';
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
import {
  PROGRAM_BY_ID,
  PROGRAM_KNOWN_SCHOOLS,
  PROGRAM_QUOTAS,
  PROGRAM_QUOTAS_CLEAR,
  PROGRAM_QUOTAS_INSERT,
  PROGRAM_TERMS_INSERT,
  PROGRAM_TERMS_LIST,
  PROGRAM_TERMS_VERSION,
} from './programs.queries.js';

/** Programs, their versioned agreement terms and their quotas. Program admins write; all read. */
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
      await runStatement(tx, PROGRAM_TERMS_INSERT, [program.id, 1, termsText, actor.id]);
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
      const [row] = await runStatement(tx, PROGRAM_TERMS_INSERT, [id, program.termsVersion, request.text, actor.id]);
      const terms = { programId: id, version: program.termsVersion, text: request.text, createdAt: row.created_at.toISOString() };
      await this.audit.record(tx, actor, { action: 'program.terms_changed', entityType: 'program', entityId: id, schoolId: null, after: { version: terms.version } });
      return terms;
    });
  }

  async listTerms(id: string): Promise<TermsResponse[]> {
    await this.find(id);
    const rows = await runStatement(this.dataSource.manager, PROGRAM_TERMS_LIST, [id]);
    return rows.map((r) => ({ programId: id, version: r.version, text: r.text, createdAt: r.created_at.toISOString() }));
  }

  async getTerms(id: string, version: number): Promise<TermsResponse> {
    const [row] = await runStatement(this.dataSource.manager, PROGRAM_TERMS_VERSION, [id, version]);
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
      const known = await runStatement(tx, PROGRAM_KNOWN_SCHOOLS, [schools]);
      const unknown = schools.filter((s) => !known.some((k) => k.id === s));
      if (unknown.length) throw invalid(unknown.map((s) => fieldError('quotas', 'no_school_with_id', { id: s })));
      const before = await this.quotas(tx, id);
      await runStatement(tx, PROGRAM_QUOTAS_CLEAR, [id]);
      if (request.quotas.length) await runStatement(tx, PROGRAM_QUOTAS_INSERT, [id, schools, request.quotas.map((q) => q.quota)]);
      const after = { quotas: request.quotas.map((q) => ({ schoolId: q.schoolId, quota: q.quota })) };
      await this.audit.record(tx, actor, { action: 'program.quotas_set', entityType: 'program', entityId: id, schoolId: null, before, after });
      return after;
    });
  }

  async getQuotas(id: string): Promise<QuotasResponse> {
    await this.find(id);
    return this.quotas(this.dataSource.manager, id);
  }

  private async quotas(db: EntityManager, id: string): Promise<QuotasResponse> {
    const rows = await runStatement(db, PROGRAM_QUOTAS, [id]);
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
