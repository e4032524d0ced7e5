import type { FastifyInstance, FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { redactUrl } from './log-redaction.js';

const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** The service's one logger: JSON lines on stdout (nestjs-pino hands it to Nest and the services). */
export function serviceLogger(level: string): Logger {
  return pino(
    {
      level,
      serializers: { err: pino.stdSerializers.err },
      // Nest's own start-up chatter (modules loaded, routes mapped) says nothing an operator
      // needs at info level and buries the start-up banner; keep it at debug.
      hooks: {
        logMethod(args, method, level) {
          const context = (args[0] as { context?: string } | undefined)?.context;
          if (level <= 30 && context && STARTUP_CONTEXTS.has(context) && !this.isLevelEnabled('debug')) return;
          method.apply(this, args);
        },
      },
    },
    // Asynchronous writes: lines logged while a write is in progress go out together in the next
    // one instead of one blocking write(2) per line. pino flushes what is buffered when the
    // process exits; a crash of the machine itself can lose the last lines.
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Probes and scrapes every few seconds would drown the request log. */
const UNLOGGED = /^\/(health|metrics)(\/|$)/;

// What was asked; headers (and with them any credentials) are left out, and credential-like
// query parameters are redacted.
const asked = (request: FastifyRequest) => ({ id: request.id, method: request.method, url: redactUrl(request.url) });

/**
 * One line per request, written once it is answered (or abandoned by its client), from Fastify's
 * own hooks. Not pino-http through nestjs-pino's middleware: that runs every request inside an
 * AsyncLocalStorage and builds two child loggers for it, and on Node 20 an enabled
 * AsyncLocalStorage costs every promise of every request (decision 89, docs/benchmarks.md
 * "Round five"). The line keeps pino-http's shape: `req`, `res`, `responseTime`, the message.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!UNLOGGED.test(request.url)) {
      const status = reply.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      logger[level]({ req: asked(request), res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (!UNLOGGED.test(request.url)) logger.warn({ req: asked(request) }, 'request aborted');
    done();
  });
}
