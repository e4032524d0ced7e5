import type { FastifyRequest } from 'fastify';
import { DEFAULT_LANGUAGE, type Language, languageOf } from '../i18n/i18n.js';

/**
 * What a request's handler, and the code it calls, leave for the request's answer. It travels
 * with the caller (`Actor.request`, `TokenCaller.request`), which every use case is handed
 * anyway, not in an AsyncLocalStorage: on Node 20 an enabled AsyncLocalStorage costs every
 * promise of every request its propagation, 8-25% of a request's CPU here (decision 89,
 * docs/benchmarks.md "Round five"). Absent outside a request (jobs, start-up).
 */
export interface RequestContext {
  /** The answer's language (from Accept-Language). */
  readonly language: Language;
  /** The sources a report read (ReadReplica): the answer's `Data-As-Of` and `Data-Source`. */
  readonly readSources: { source: 'primary' | 'replica'; asOf: Date }[];
  /** Writes the answer is held for until they commit: the student-access log (StudentAccessLog.record). */
  readonly answerWaitsFor: Promise<void>[];
  /**
   * The answer is leaving (answer-hooks.ts): writes started from now on, such as an export's
   * batches read while it streams, can no longer hold it and run in the background.
   */
  answered: boolean;
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

/**
 * The context of `request`, made by authentication, which hands it to the caller; the answer
 * hooks (answer-hooks.ts) read it as the answer leaves.
 */
export function requestContextOf(request: FastifyRequest): RequestContext {
  let context = contexts.get(request);
  if (!context) {
    context = { language: languageOf(request), readSources: [], answerWaitsFor: [], answered: false };
    contexts.set(request, context);
  }
  return context;
}

/** The context of `request` if anything made one: an unauthenticated request has none. */
export const requestContextIfAny = (request: FastifyRequest): RequestContext | undefined => contexts.get(request);

/** The language of the answer to `caller`: its request's, or the default outside a request (jobs, SMS). */
export const answerLanguage = (caller: { readonly request?: RequestContext }): Language => caller.request?.language ?? DEFAULT_LANGUAGE;
