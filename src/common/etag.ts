import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The strong ETag of a record version: `"7"`, what `If-Match` takes back. */
export const etagOf = (version: number) => `"${version}"`;

const ETAG_METHODS = new Set(['GET', 'PATCH', 'PUT']);

/**
 * Every GET, PATCH and PUT answering one versioned record (a JSON object with an `id` and an
 * integer `version`) sends that version as its `ETag`, in one place rather than per controller,
 * so a new versioned resource cannot forget it (answer-hooks.ts calls this for every JSON answer).
 * Lists, files and streams are left alone.
 */
export function setEtag(request: FastifyRequest, reply: FastifyReply, body: unknown): void {
  if (ETAG_METHODS.has(request.method) && isVersionedRecord(body) && !reply.hasHeader('etag')) reply.header('etag', etagOf(body.version));
}

function isVersionedRecord(body: unknown): body is { id: string; version: number } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return false;
  const record = body as { id?: unknown; version?: unknown };
  return typeof record.id === 'string' && Number.isInteger(record.version);
}

type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[] };

/** Documents the `ETag` header on every GET/PATCH/PUT 2xx answer whose schema is a versioned record. */
export function documentEtags(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (schema: Schema | undefined): Schema | undefined => (schema?.$ref ? schemas[schema.$ref.split('/').pop()!] : schema);
  const versioned = (schema: Schema | undefined): boolean => {
    const s = resolve(schema);
    if (!s) return false;
    if (s.properties && 'version' in s.properties && 'id' in s.properties) return true;
    return (s.allOf ?? []).some(versioned);
  };
  for (const path of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(path as Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, unknown> }> }>)) {
      if (!ETAG_METHODS.has(method.toUpperCase()) || !operation?.responses) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^2\d\d$/.test(status) || !versioned(response.content?.['application/json']?.schema)) continue;
        response.headers = {
          ...response.headers,
          ETag: { description: 'The record\'s version as a strong ETag (`"7"`); send it back as `If-Match` to refuse a stale update.', schema: { type: 'string', example: '"3"' } },
        };
      }
    }
  }
}
