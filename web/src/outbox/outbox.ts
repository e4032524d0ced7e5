import { createStore, del, entries, set } from 'idb-keyval';
import type { components } from '../api/schema';
import { api, ok } from '../api/client';

type Schemas = components['schemas'];

/**
 * Actions the desk could not send because the network was down, kept in IndexedDB with the
 * Idempotency-Key of their first attempt. A replay sends the same key and body, so the API
 * answers with the first attempt's result if that attempt did reach it: one loan, never two.
 */
export type OutboxItem = (
  | { key: string; kind: 'issue'; label: string; queuedAt: string; body: Schemas['IssueLoanRequest']; error?: string }
  | { key: string; kind: 'return'; label: string; queuedAt: string; loanId: string; body: Schemas['ReturnLoanRequest']; error?: string }
) & {
  /**
   * Who queued it. Only they replay it: the API keys idempotency per caller, so the same key sent
   * under another operator's session would not find the first attempt (a second loan), and the
   * audit trail must name the operator who actually served the student.
   */
  operatorId: string;
};

export type OutboxResult = { loanId: string; kind: OutboxItem['kind'] };

const store = createStore('laptop-loans', 'outbox');

export async function queued(): Promise<OutboxItem[]> {
  const all = (await entries<string, OutboxItem>(store)).map(([, v]) => v);
  return all.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

export const enqueue = (item: OutboxItem) => set(item.key, item, store);
export const remove = (key: string) => del(key, store);
export const markFailed = (item: OutboxItem, error: string) => set(item.key, { ...item, error }, store);

/** Sends one queued action with its original Idempotency-Key. */
export async function send(item: OutboxItem): Promise<OutboxResult> {
  const header = { 'Idempotency-Key': item.key };
  if (item.kind === 'issue') {
    const loan = ok(await api.POST('/api/v1/loans', { params: { header }, body: item.body }));
    return { loanId: loan.id, kind: 'issue' };
  }
  const answer = ok(await api.POST('/api/v1/loans/{id}/return', { params: { path: { id: item.loanId }, header }, body: item.body }));
  return { loanId: answer.loan.id, kind: 'return' };
}
