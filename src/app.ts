import { setIdempotencySecret } from './common/idempotency.js';
import { limitBodyTime } from './common/body-timeout.js';
import { authenticateBeforeBody } from './auth/auth.guard.js';
import { CredentialsService } from './auth/credentials.service.js';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { logRequests, serviceLogger } from './common/logging.js';
import { finishAnswers } from './common/answer-hooks.js';
import { AppModule } from './app.module.js';
import { DomainError } from './common/errors.js';
import { limitJsonDepth } from './common/json-depth.js';
import { answerMethodNotAllowed } from './common/method-not-allowed.js';
import { ProblemFilter } from './common/problem.filter.js';
import { validationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { registerSecurityHeaders } from './common/security-headers.js';
import { registerCsvUploads } from './common/csv-import/csv-upload.js';
import { MetricsService } from './metrics/metrics.service.js';
import { mountSwagger } from './swagger.js';
import { registerConsole } from './console/console.js';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Once shutdown has begun, a request that still arrives (on a connection kept alive from before)
 * gets a 503 problem and `Connection: close`, so the client retries elsewhere; what was already
 * accepted runs to its end.
 */
function refuseWhileClosing(fastify: FastifyInstance, problems: ProblemFilter): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    problems.send(new DomainError('unavailable', 'shutting_down'), request, reply);
  });
}

/** Builds the application (used by `main.ts` and by the HTTP tests), not yet listening. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const problems = new ProblemFilter();
  setIdempotencySecret(config.jwtSecret);
  const adapter = new FastifyAdapter({
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => problems.send(error, request, reply),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // On shutdown, requests arriving on kept-alive connections are refused by our own hook below
    // (a problem+json 503), in-flight ones finish, idle sockets are closed.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Long path parameters reach validation (400) instead of the router's bare 414.
    routerOptions: { maxParamLength: 1000 },
  });
  const logger = serviceLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl, logger), adapter, {
    bufferLogs: true,
    // Fastify's own JSON parser is all we want; Nest's would add form-encoded bodies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(problems);

  const fastify = app.getHttpAdapter().getInstance();
  // Connections per process are bounded: past MAX_CONNECTIONS, Node closes new ones at once.
  fastify.server.maxConnections = config.maxConnections;
  answerMethodNotAllowed(fastify, problems);
  // JSON only: a text body would reach validation as a bare string. CSV imports take text/csv
  // and multipart on the routes marked @CsvUpload() only; elsewhere those are 415 too.
  fastify.removeContentTypeParser('text/plain');
  limitJsonDepth(fastify);
  // Callback-style hooks: an async one costs every request a promise for work that never waits.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  logRequests(fastify, logger);
  finishAnswers(fastify, problems);
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  registerSecurityHeaders(fastify);
  refuseWhileClosing(fastify, problems);
  limitBodyTime(fastify, problems, config.bodyTimeoutMs);
  // After the shutdown refusal, before anything reads a body: a stranger is told 401 first.
  authenticateBeforeBody(fastify, app.get(CredentialsService));
  await registerCsvUploads(app, config.importLimitBytes);
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins.length ? config.corsOrigins : false,
    exposedHeaders: ['ETag', 'X-Request-Id', 'Retry-After', 'Content-Disposition', 'Data-As-Of', 'Data-Source'],
  });
  if (config.swaggerEnabled) await mountSwagger(app);
  await registerConsole(fastify);
  return app;
}
