import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors.js';
import { assertLoanTransition, LOAN_STATUSES, LOAN_TRANSITIONS, type LoanStatus } from './loan-status.js';

/** The legal moves, written out by hand so that a change to the table has to change this too. */
const LEGAL: ReadonlyArray<[LoanStatus, LoanStatus]> = [
  ['active', 'returned'],
  ['active', 'lost'],
  ['active', 'stolen'],
  ['active', 'written_off'],
  ['lost', 'written_off'],
  ['stolen', 'written_off'],
];
const isLegal = (from: LoanStatus, to: LoanStatus) => LEGAL.some(([f, t]) => f === from && t === to);

const ALL_PAIRS = LOAN_STATUSES.flatMap((from) => LOAN_STATUSES.map((to) => [from, to] as [LoanStatus, LoanStatus]));

function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('loan state machine', () => {
  it('knows exactly the five statuses, each with an entry in the table', () => {
    expect([...LOAN_STATUSES].sort()).toEqual(['active', 'lost', 'returned', 'stolen', 'written_off']);
    expect(Object.keys(LOAN_TRANSITIONS).sort()).toEqual([...LOAN_STATUSES].sort());
    expect(ALL_PAIRS).toHaveLength(25);
  });

  it('the table says exactly the legal moves, no more and no fewer', () => {
    const fromTable = LOAN_STATUSES.flatMap((from) => LOAN_TRANSITIONS[from].map((to) => `${from}->${to}`)).sort();
    expect(fromTable).toEqual(LEGAL.map(([f, t]) => `${f}->${t}`).sort());
  });

  it.each(ALL_PAIRS.filter(([f, t]) => isLegal(f, t)))('%s -> %s is allowed', (from, to) => {
    expect(() => assertLoanTransition(from, to)).not.toThrow();
  });

  it.each(ALL_PAIRS.filter(([f, t]) => !isLegal(f, t)))('%s -> %s is refused with a conflict naming both statuses', (from, to) => {
    const error = thrown(() => assertLoanTransition(from, to));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).type).toBe('conflict');
    expect((error as DomainError).extra).toMatchObject({ currentStatus: from, requestedStatus: to });
  });

  it('an ended loan never becomes active again, and no status becomes itself', () => {
    for (const from of LOAN_STATUSES) {
      expect(LOAN_TRANSITIONS[from]).not.toContain('active');
      expect(LOAN_TRANSITIONS[from]).not.toContain(from);
    }
  });

  it('returned and written off are final', () => {
    expect(LOAN_TRANSITIONS.returned).toEqual([]);
    expect(LOAN_TRANSITIONS.written_off).toEqual([]);
  });
});
