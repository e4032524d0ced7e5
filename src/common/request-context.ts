import { AsyncLocalStorage } from 'node:async_hooks';
import type { Language } from '../i18n/languages.js';

/**
 * What a request's handler, and the code it calls, leave for the request's answer, in one store.
 * One store for the whole service on purpose: Node 20 copies every AsyncLocalStorage's store onto
 * every promise a request makes, so each store costs each request (docs/benchmarks.md, "One
 * request context"). AnswerInterceptor makes it; nothing outside a request has one.
 */
export interface RequestContext {
  /** The answer's language (i18n's `localise`, `currentLanguage`). */
  readonly language: Language;
  /** The sources a report read (ReadReplica): the answer's `Data-As-Of` and `Data-Source`. */
  readonly readSources: { source: 'primary' | 'replica'; asOf: Date }[];
  /** Writes the answer is held for until they commit: the student-access log (StudentAccessLog.record). */
  readonly answerWaitsFor: Promise<void>[];
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being served, or undefined outside one (jobs, start-up). */
export const currentRequest = (): RequestContext | undefined => storage.getStore();

/** Runs `work` (a handler) in `context`. */
export const runInRequest = <T>(context: RequestContext, work: () => T): T => storage.run(context, work);
