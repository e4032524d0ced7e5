import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from './request-context.js';

export const ROLES = ['program_admin', 'school_admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a signed-in user, an API key, or the service itself (jobs, bootstrap). */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
  role: Role;
  /** Set for school admins (users and keys): the only school whose data they may touch. */
  schoolId: string | null;
  requestId: string | null;
  /** Bearer tokens only: the token's id and expiry (seconds since the epoch), for logout. */
  token?: { id: string; expiresAt: number };
  /** The request it calls in: the answer's language, what the answer waits for. Absent for jobs. */
  request?: RequestContext;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, role: 'program_admin', schoolId: null, requestId: null };

export type RequestWithActor = FastifyRequest & { actor?: Actor };

/** The authenticated caller, set by `AuthGuard`. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<RequestWithActor>();
  if (!request.actor) throw new Error('CurrentActor used on a route without authentication');
  return request.actor;
});
