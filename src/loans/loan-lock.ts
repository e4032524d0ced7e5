import type { EntityManager } from 'typeorm';
import { assertSchoolAccess, type SchoolAccess } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { conflict, notFound } from '../common/errors.js';
import { Loan } from './loan.entity.js';

/** Locks a loan for a change: absent or another school's is 404; anything but active is 409. */
export async function lockActiveLoan(tx: EntityManager, actor: Actor, id: string, access: SchoolAccess = 'operate'): Promise<Loan> {
  const loan = await tx.findOne(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!loan) throw notFound('loan_not_found');
  assertSchoolAccess(actor, loan.schoolId, access, 'loan_not_found');
  if (loan.status !== 'active') throw conflict('loan_not_active', { status: loan.status }, { currentStatus: loan.status });
  return loan;
}
