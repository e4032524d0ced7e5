import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run web:build` writes the console (vite.config.ts). */
export const CONSOLE_DIR = resolve('dist/web');

/**
 * The console page's own policy (the API's answers keep helmet's): as strict, plus `blob:` for
 * the PDFs it prints from a hidden frame (a blob document inherits this policy, so the PDF viewer
 * needs `object-src` too) and for the signature preview.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'self' blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Paths the console never answers: the API, Swagger, health and metrics keep their own 404s. */
const RESERVED = /^\/(api|docs|health|metrics)(\/|$|-|\?)/;

/**
 * Serves the web console at `/`: hashed files under /assets (cached for a year: a new build has
 * new names; brotli or gzip copies written by the build are sent when the browser accepts them),
 * and index.html, never cached, for every other GET that no route answers and that does not name
 * a file (`/desk`, `/worklists/overdue`): the console's router takes it from there.
 */
export async function registerConsole(fastify: FastifyInstance, dir = CONSOLE_DIR): Promise<boolean> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return false;
  const index = readFileSync(indexFile);

  await fastify.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    wildcard: false,
    decorateReply: false,
    preCompressed: true,
    index: false,
    globIgnore: ['**/*.br', '**/*.gz'],
    setHeaders: (reply) => void reply.header('cache-control', 'public, max-age=31536000, immutable'),
  });

  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const path = request.url.split('?')[0];
    if (RESERVED.test(path) || /\.[a-z0-9]+$/i.test(path)) return;
    reply.raw.removeHeader('content-security-policy');
    reply.header('content-security-policy', CONSOLE_CSP).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
    return reply;
  });
  return true;
}
