import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DomainError, invalidField } from '../errors.js';
import type { ApiOperationOptions } from '@nestjs/swagger';

/**
 * CSV uploads at the HTTP edge. The service is JSON-only (decision 11); routes marked
 * `@CsvUpload()` take a CSV file instead, as `text/csv` or as `multipart/form-data` (field
 * `file`), up to IMPORT_LIMIT_BYTES. Every other route answers 415 to those two types, and an
 * upload route answers 415 to anything else.
 *
 * Neither parser reads the body: the route reads it after the guard has let the caller in, so a
 * stranger cannot make the service swallow 50 MiB before being told 401.
 */

const UPLOAD_ROUTE = 'csvUpload';
const UPLOAD_TYPES = new Set(['text/csv', 'multipart/form-data']);
/** Room for the multipart envelope (boundaries, part headers) around the file itself. */
const MULTIPART_ENVELOPE = 64 * 1024;

/** Marks a route as taking a CSV upload. */
export const CsvUpload = () => RouteConfig({ [UPLOAD_ROUTE]: true });

/** The OpenAPI request body of a CSV import: the file as `text/csv`, or as `file` in a form. */
export function csvFileRequestBody(example: string): NonNullable<ApiOperationOptions['requestBody']> {
  return {
    required: true,
    content: {
      'text/csv': { schema: { type: 'string' }, example },
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', format: 'binary', description: 'The CSV file (UTF-8)' } },
        },
      },
    },
  };
}

/** The raw `text/csv` body stream, kept by the parser for the route. */
const csvBodies = new WeakMap<FastifyRequest, Readable>();

export async function registerCsvUploads(app: NestFastifyApplication, limitBytes: number): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser('text/csv', (request, payload, done) => {
    csvBodies.set(request, payload);
    done(null, undefined);
  });
  await app.register(multipart, {
    limits: { fileSize: limitBytes, files: 1, fields: 10, parts: 20 },
    // A part named `file` is the file, even when a client sends it without a filename.
    isPartAFile: (field, contentType, filename) => field === 'file' || filename !== undefined || contentType === 'application/octet-stream',
  });
  // Callback style: nothing here waits, and an async hook costs every request a promise.
  fastify.addHook('onRequest', (request, _reply, done) => done(uploadRefusal(request, limitBytes)));
}

/** Why a request's content type or size is refused before its body is read, or undefined. */
function uploadRefusal(request: FastifyRequest, limitBytes: number): Error | undefined {
  const header = request.headers['content-type'];
  if (header === undefined) {
    return isUploadRoute(request) && request.method === 'POST' ? notCsv() : undefined;
  }
  const [type, ...parameters] = header.toLowerCase().split(';').map((part) => part.trim());
  if (!isUploadRoute(request)) {
    return UPLOAD_TYPES.has(type) ? new DomainError('unsupported-media-type', 'json_only') : undefined;
  }
  if (!UPLOAD_TYPES.has(type)) return notCsv();
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (type === 'text/csv' && charset && charset !== 'utf-8' && charset !== 'utf8') {
    return new DomainError('unsupported-media-type', 'csv_not_utf8');
  }
  const length = Number(request.headers['content-length']);
  return length > limitBytes + (type === 'text/csv' ? 0 : MULTIPART_ENVELOPE) ? tooLarge(limitBytes) : undefined;
}

const isUploadRoute = (request: FastifyRequest) => (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[UPLOAD_ROUTE] === true;
const notCsv = () => new DomainError('unsupported-media-type', 'csv_content_type');
const tooLarge = (limitBytes: number) =>
  new DomainError('payload-too-large', 'file_too_large', { limit: limitBytes });

/** An uploaded file, held once in memory as the chunks it arrived in. */
export interface CsvFile {
  chunks: Buffer[];
  bytes: number;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  filename: string | null;
}

/** Reads the uploaded file of an `@CsvUpload()` route, enforcing the size limit as it arrives. */
export async function readCsvUpload(request: FastifyRequest, limitBytes: number): Promise<CsvFile> {
  try {
    return await readUpload(request, limitBytes);
  } catch (error) {
    // Busboy's and the multipart plugin's errors (no boundary, the body ends before the closing
    // boundary, a part without headers) are the client's malformed body, never a 500.
    if (error instanceof DomainError || !request.isMultipart()) throw error;
    throw invalidField('file', 'multipart_malformed');
  }
}

async function readUpload(request: FastifyRequest, limitBytes: number): Promise<CsvFile> {
  let source: Readable;
  let filename: string | null = null;
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) throw invalidField('file', 'form_has_no_file');
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw invalidField(part.fieldname, 'file_field_name');
    }
    source = part.file;
    filename = part.filename || null;
  } else {
    source = csvBodies.get(request) ?? request.raw;
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  // Not destroyed on an early exit, so the 413 can still be written to the connection.
  for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limitBytes) {
      source.resume();
      throw tooLarge(limitBytes);
    }
    hash.update(chunk);
    chunks.push(chunk);
  }
  // Busboy stops a file at the limit and marks it truncated rather than failing the stream.
  if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge(limitBytes);
  if (bytes === 0) throw invalidField('file', 'file_empty');
  return { chunks, bytes, sha256: hash.digest('hex'), filename };
}
