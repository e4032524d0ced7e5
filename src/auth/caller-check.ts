import { createParamDecorator, type ExecutionContext, ParseUUIDPipe } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestWithActor, Role } from '../common/actor.js';
import type { RequestContext } from '../common/request-context.js';
import { DomainError } from '../common/errors.js';

/** Fastify route config flag read by the onRequest hook (like `@Public()`'s). */
export const CALLER_CHECKED_BY_ROUTE = 'callerCheckedByRoute';

/** The caller's row as USER_BY_ID reads it (routes that check the caller themselves read the same). */
export interface TokenUserRow {
  id: string;
  role: Role;
  school_id: string | null;
  active: boolean;
  credentials_version: number;
  revoked: boolean;
}

/**
 * A bearer token whose signature and claims are verified but whose user row is not read yet: the
 * route's own statement reads it in the same round trip as its work, then `actorOfTokenUser`
 * decides exactly as the guard would have (decision 71).
 */
export interface TokenCaller {
  kind: 'token';
  userId: string;
  credentialsVersion: number;
  tokenId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  requestId: string;
  /** The request it calls in (see Actor.request). */
  request?: RequestContext;
}

/**
 * The route reads the caller's user row itself, in the same round trip as its own work (decision
 * 71): for a bearer token, authentication checks only the token's signature and claims, and the
 * handler receives a `TokenCaller` to pass to a statement that also reads the user row, then
 * decides with `actorOfTokenUser` before anything else. Every other route (the default) keeps
 * the full check before the handler. Applies only where nothing but the handler could answer
 * first: a GET whose path parameters are all UUIDs, no roles on the route, and a bearer token
 * (an API key is always checked in full). Anything else is checked in full, as before.
 */
export const ChecksCallerItself = () => RouteConfig({ [CALLER_CHECKED_BY_ROUTE]: true });

/** The caller as a route that checks it itself receives it: an Actor already checked, or a token to check. */
export type Caller = Actor | TokenCaller;

export type RequestWithCaller = RequestWithActor & { tokenCaller?: TokenCaller };

/** `@UuidParam()`'s own test (versions 1-8, the RFC variant, nil and max), so exactly what it would refuse is checked in full. */
class UuidTest extends ParseUUIDPipe {
  accepts(value: unknown): boolean {
    try {
      return this.isUUID(value);
    } catch {
      return false;
    }
  }
}
const uuids = new UuidTest();

/**
 * Whether this request's user row may be left to the route's statement. A malformed path id must
 * still be a 401 for a disabled user (not the 400 validation would give before the handler), so
 * such a request is checked in full; likewise anything that is not a plain bearer-token GET.
 */
export function routeChecksCaller(request: FastifyRequest, authorization: string | undefined, apiKey: string | undefined): boolean {
  if ((request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[CALLER_CHECKED_BY_ROUTE] !== true) return false;
  if (request.method !== 'GET' || apiKey !== undefined) return false;
  if (!authorization || /^Bearer\s+llk_/i.test(authorization)) return false;
  return Object.values((request.params ?? {}) as Record<string, unknown>).every((v) => uuids.accepts(v));
}

/** The caller of a `@ChecksCallerItself()` route: the checked actor, or the token its statement checks. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<RequestWithCaller>();
  const caller = request.actor ?? request.tokenCaller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});

/**
 * The verdict on a token's user row, in the guard's order: no such user or disabled, then a
 * credentials version that moved on (password, role or school changed), then a logged-out token.
 * The one place these rules live: the guard and the routes that check the caller themselves both
 * call it, and statements that read the row write nothing unless the same conditions hold.
 */
export function actorOfTokenUser(caller: TokenCaller, user: TokenUserRow | undefined): Actor {
  if (!user || !user.active) throw new DomainError('unauthenticated', 'account_disabled');
  if (user.credentials_version !== caller.credentialsVersion) throw new DomainError('unauthenticated', 'token_superseded');
  if (user.revoked) throw new DomainError('unauthenticated', 'token_revoked');
  return { kind: 'user', id: user.id, role: user.role, schoolId: user.school_id, requestId: caller.requestId, token: { id: caller.tokenId, expiresAt: caller.expiresAt }, request: caller.request };
}
