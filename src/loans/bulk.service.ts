import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { answerLanguage } from '../common/request-context.js';
import type { Language } from '../i18n/i18n.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { DomainError } from '../common/errors.js';
import { ProblemFilter } from '../common/problem.filter.js';
import { Transactions } from '../database/transactions.js';
import type { BulkIssueRequest, BulkIssueResponse, BulkReturnRequest, BulkReturnResponse } from './dto/bulk.dto.js';
import { LoansService } from './loans.service.js';
import { ReturnsService } from './returns.service.js';

const problems = new ProblemFilter();

/**
 * The start and end of the school year: many agreements at once. The batch is one transaction
 * (so its Idempotency-Key covers it whole) and each item runs in its own savepoint, so an item
 * that fails rolls back alone and is reported with the problem its single request would answer.
 */
@Injectable()
export class BulkLoansService {
  constructor(
    private readonly transactions: Transactions,
    private readonly loans: LoansService,
    private readonly returns: ReturnsService,
  ) {}

  issue(actor: Actor, request: BulkIssueRequest, idempotency: IdempotencyRequest): Promise<BulkIssueResponse> {
    const language = answerLanguage(actor);
    return this.transactions.run(idempotency, async (tx) => {
      const results: BulkIssueResponse['results'] = [];
      for (const [index, item] of request.items.entries()) {
        try {
          const loan = await tx.transaction((savepoint) => this.loans.issueIn(savepoint, actor, { ...item, programId: request.programId }));
          results.push({ index, outcome: 'issued', loan });
        } catch (error) {
          results.push({ index, outcome: 'failed', problem: itemProblem(error, language) });
        }
      }
      return { issued: results.filter((r) => r.outcome === 'issued').length, failed: results.filter((r) => r.outcome === 'failed').length, results };
    });
  }

  returnMany(actor: Actor, request: BulkReturnRequest, idempotency: IdempotencyRequest): Promise<BulkReturnResponse> {
    const language = answerLanguage(actor);
    return this.transactions.run(idempotency, async (tx) => {
      const results: BulkReturnResponse['results'] = [];
      for (const [index, { loanId, ...item }] of request.items.entries()) {
        try {
          const result = await tx.transaction((savepoint) => this.returns.returnIn(savepoint, actor, loanId, item));
          results.push({ index, loanId, outcome: 'returned', result });
        } catch (error) {
          results.push({ index, loanId, outcome: 'failed', problem: itemProblem(error, language) });
        }
      }
      return { returned: results.filter((r) => r.outcome === 'returned').length, failed: results.filter((r) => r.outcome === 'failed').length, results };
    });
  }
}

/** A client's mistake in one item is reported; anything else (the database gone) fails the batch. */
function itemProblem(error: unknown, language: Language) {
  const problem = problems.toProblem(error, language);
  if (problem.status >= 500 && !(error instanceof DomainError)) throw error;
  return problem;
}
