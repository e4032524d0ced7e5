import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { createHash, createHmac } from 'node:crypto';
import type { RequestWithActor } from './actor.js';
import { invalidField } from './errors.js';

/** A client's `Idempotency-Key`, scoped to the caller, with a fingerprint of what was asked. */
export interface IdempotencyRequest {
  actorKey: string;
  key: string;
  fingerprint: Buffer;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * `@Idempotency()` reads the `Idempotency-Key` header. The fingerprint covers the method, the
 * route with its parameters and the body (keys sorted), so the same key sent with a different
 * request is recognised and refused with 422.
 */
export const Idempotency = createParamDecorator(
  (options: { required?: boolean } | undefined, context: ExecutionContext): IdempotencyRequest | undefined => {
    const request = context.switchToHttp().getRequest<RequestWithActor>();
    const raw = request.headers['idempotency-key'];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || key === '') {
      if (options?.required) throw invalidField('Idempotency-Key', 'idempotency_key_required');
      return undefined;
    }
    if (!KEY_PATTERN.test(key)) {
      throw invalidField('Idempotency-Key', 'idempotency_key_format');
    }
    const actor = request.actor;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0]}\n`)
      .update(canonicalJson(request.body ?? null))
      .digest();
    return { actorKey: `${actor?.kind ?? 'anonymous'}:${actor?.id ?? ''}`, key, fingerprint };
  },
);

export const ApiIdempotencyKey = (required = false) =>
  ApiHeader({
    name: 'Idempotency-Key',
    required,
    description:
      'Makes the request safe to retry: a retry with the same key and body replays the first response; the same key with another body is refused (422). A fresh UUID per request (Swagger UI fills one).',
    // No example: Swagger UI would put the same one in every form, and every "Try it out" would replay the first.
    schema: { type: 'string', maxLength: 200 },
  });

/**
 * Secret fields (a password) are fingerprinted with a keyed hash instead of their value: the
 * same key sent again with another password is a different request (422), not a silent replay,
 * and a stored fingerprint cannot be used to test password guesses at hash speed without the
 * key, which never leaves the service (derived from JWT_SECRET, like every replica's).
 */
const SECRET_FIELD = /password|secret/i;
let secretKey: Buffer | undefined;

/** Called once at start-up with the service's secret. */
export function setIdempotencySecret(secret: string): void {
  secretKey = createHmac('sha256', secret).update('idempotency-fingerprint').digest();
}

function keyedSecret(value: unknown): string {
  if (!secretKey) throw new Error('setIdempotencySecret() was not called');
  return `"hmac:${createHmac('sha256', secretKey).update(JSON.stringify(value) ?? 'null').digest('hex')}"`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${SECRET_FIELD.test(k) ? keyedSecret(v) : canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
