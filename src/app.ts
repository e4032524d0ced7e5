import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { limitJsonDepth } from './common/json-depth.js';
import { answerMethodNotAllowed } from './common/method-not-allowed.js';
import { ProblemFilter } from './common/problem.filter.js';
import { validationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { registerCsvUploads } from './devices/import/csv-upload.js';
import { MetricsService } from './metrics/metrics.service.js';
import { mountSwagger } from './swagger.js';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Builds the application (used by `main.ts` and by the HTTP tests), not yet listening. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const problems = new ProblemFilter();
  const adapter = new FastifyAdapter({
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => problems.send(error, request, reply),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // On shutdown: refuse new requests with 503, let in-flight ones finish, close idle sockets.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Long path parameters reach validation (400) instead of the router's bare 414.
    routerOptions: { maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl), adapter, {
    bufferLogs: true,
    // Fastify's own JSON parser is all we want; Nest's would add form-encoded bodies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(problems);

  const fastify = app.getHttpAdapter().getInstance();
  answerMethodNotAllowed(fastify, problems);
  // JSON only: a text body would reach validation as a bare string. CSV imports take text/csv
  // and multipart on the routes marked @CsvUpload() only; elsewhere those are 415 too.
  fastify.removeContentTypeParser('text/plain');
  limitJsonDepth(fastify);
  await registerCsvUploads(app, config.importLimitBytes);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  await app.register(helmet, {
    // Swagger UI needs inline styles and its own scripts; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        scriptSrc: ["'self'"],
        // Not forcing https: a service reached over plain http inside a city network must still
        // load /docs. TLS and HSTS belong to the proxy in front of it.
        upgradeInsecureRequests: null,
      },
    },
    hsts: false,
  });
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins.length ? config.corsOrigins : false,
    exposedHeaders: ['ETag', 'X-Request-Id', 'Retry-After', 'Content-Disposition'],
  });
  if (config.swaggerEnabled) await mountSwagger(app);
  return app;
}
