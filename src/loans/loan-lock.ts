import type { EntityManager } from 'typeorm';
import { assertSchoolAccess, type SchoolAccess } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { conflict, notFound } from '../common/errors.js';
import { Loan } from './loan.entity.js';

/** Locks a loan for a change: absent or another school's is 404; anything but active is 409. */
export async function lockActiveLoan(tx: EntityManager, actor: Actor, id: string, access: SchoolAccess = 'operate'): Promise<Loan> {
  const loan = await tx.findOne(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!loan) throw notFound('The loan');
  assertSchoolAccess(actor, loan.schoolId, access, 'The loan');
  if (loan.status !== 'active') throw conflict(`The loan is ${loan.status}, not active`, { currentStatus: loan.status });
  return loan;
}
