import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, invalidField } from './errors.js';

/**
 * `@IfMatch()` gives the version a client last saw (from the `ETag` it got), or undefined when
 * the header is absent or `*`. Versions are sent as strong ETags: `"7"`.
 */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const raw = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(raw);
  if (!match) throw invalidField('If-Match', 'not_etag');
  return Number(match[1]);
});

export const ApiIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag from your last read. If the record changed since, the update is refused with 409.',
    schema: { type: 'string', example: '"3"' },
  });

export function assertVersion(current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new DomainError('stale-version', 'stale_version', { current }, { currentVersion: current });
  }
}
