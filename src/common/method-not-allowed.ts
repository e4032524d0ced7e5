import type { FastifyInstance } from 'fastify';
import { DomainError } from './errors.js';
import type { ProblemFilter } from './problem.filter.js';

/**
 * A known path asked with a method it does not serve answers 405 with an `Allow` header naming
 * the methods it does serve (RFC 9110, 15.5.6), instead of the router's 404. The routes are
 * collected as they are registered, so this must be installed before the app is initialised.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance, problems: ProblemFilter): void {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  fastify.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return; // catch-alls (CORS preflight, static files) name no path
    const source = route.url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods: [route.method].flat() });
  });
  // Callback-style hooks here and in app.ts: an async hook costs every request a promise and its
  // turns of the microtask queue for work that never waits (docs/benchmarks.md, "Round three").
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?')[0];
    const allow = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
    if (!allow.length) return done();
    reply.header('allow', allow.join(', '));
    // Answered here: the request goes no further (done is not called).
    problems.send(new DomainError('method-not-allowed', 'method_not_allowed', { method: request.method, allow: allow.join(', ') }), request, reply);
  });
}
