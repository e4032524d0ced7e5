import type { FastifyInstance } from 'fastify';
import { DomainError } from './errors.js';

/** Deeper than any request body of this API (the deepest, a bulk return, is 4 levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * Fastify's JSON parser (prototype-poisoning checks included) plus a nesting limit. A few KB of
 * `[[[[...]]]]` parse fine but overflow the stack of the recursive validation that follows
 * (class-transformer), which would answer 500 and log a stack trace per request; refused here,
 * it is a 400 like any other malformed body.
 */
export function limitJsonDepth(fastify: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      if (depthExceeds(value, maxDepth)) return done(new DomainError('bad-request', 'body_too_deep', { max: maxDepth }), undefined);
      done(null, value);
    });
  });
}

/** Iterative, so that checking a hostile body cannot overflow the stack either. */
function depthExceeds(root: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
