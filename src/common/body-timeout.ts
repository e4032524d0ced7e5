import type { FastifyInstance } from 'fastify';
import { DomainError } from './errors.js';
import type { ProblemFilter } from './problem.filter.js';

/**
 * A request must arrive whole, body included, within `timeoutMs` of its start: a body that
 * trickles in (a byte every few seconds) would otherwise hold a connection, a parser and, for an
 * upload, a growing buffer for as long as the client likes. Past it the answer is a problem+json
 * 408 and the connection is closed. Node's own `requestTimeout` does not fire under Fastify's
 * client-error handling here (tried: nothing was answered), so the timer is ours.
 */
export function limitBodyTime(fastify: FastifyInstance, problems: ProblemFilter, timeoutMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (raw.complete) return done();
    const timer = setTimeout(() => {
      if (raw.complete || reply.sent || raw.destroyed) return;
      reply.header('connection', 'close');
      problems.send(new DomainError('request-timeout', 'body_timeout', { seconds: Math.ceil(timeoutMs / 1000) }), request, reply);
      // The rest of the body is not waited for.
      reply.raw.once('finish', () => raw.socket?.destroy());
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    reply.raw.once('finish', clear);
    reply.raw.once('close', clear);
    done();
  });
}
