import type { FastifyInstance } from 'fastify';
import { setDataAsOf } from '../database/read-replica.js';
import { setEtag } from './etag.js';
import type { ProblemFilter } from './problem.filter.js';
import { requestContextIfAny } from './request-context.js';

/**
 * What every successful answer carries once its handler has answered, set in Fastify's own hooks
 * (a Nest interceptor's observable chain cost 9-13% of a read's CPU; decision 90):
 * - before a JSON object is written: the ETag of a versioned record (etag.ts);
 * - before any answer leaves (JSON, a PDF, a stream): it is held until the writes it waits for
 *   have committed (the student-access log: no student data leaves unlogged, docs/privacy.md),
 *   and a failed one turns it into the problem for that failure; then the Data-As-Of of a report
 *   (read-replica.ts).
 * An answer that is already a problem is sent as it is.
 */
export function finishAnswers(fastify: FastifyInstance, problems: ProblemFilter): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    if (reply.statusCode < 400) setEtag(request, reply, payload);
    done(null, payload);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const context = requestContextIfAny(request);
    if (!context) return done(null, payload);
    // Writes started from now on (an export's later batches) can no longer hold this answer.
    context.answered = true;
    if (reply.statusCode >= 400) return done(null, payload);
    const finish = () => {
      setDataAsOf(reply, context.readSources);
      done(null, payload);
    };
    if (!context.answerWaitsFor.length) return finish();
    Promise.all(context.answerWaitsFor).then(finish, (error: unknown) => {
      // Nothing of the answer leaves: not its body, nor the headers that described it.
      (payload as { destroy?: () => void } | null)?.destroy?.();
      for (const header of ['etag', 'content-disposition', 'content-length', 'data-as-of', 'data-source']) reply.removeHeader(header);
      done(null, JSON.stringify(problems.prepare(error, request, reply)));
    });
  });
}
