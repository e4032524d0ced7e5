import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Role, RequestWithActor } from '../common/actor.js';
import { requestContextOf } from '../common/request-context.js';
import { assertMayWrite, assertRole } from './access.js';
import { ALLOWED_ROLES, OWN_SESSION, PUBLIC_ROUTE, PUBLIC_ROUTE_CONFIG } from './auth.decorators.js';
import { type RequestWithCaller, routeChecksCaller } from './caller-check.js';
import { CredentialsService } from './credentials.service.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface RouteMarkers {
  controller: object;
  isPublic: boolean;
  roles: Role[] | undefined;
  ownSession: boolean;
}

/** Global guard: every route needs credentials unless marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** A route's markers, read once per handler: they are fixed when the controllers load. */
  private readonly markers = new WeakMap<object, RouteMarkers>();

  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
  ) {}

  private markersOf(context: ExecutionContext): RouteMarkers {
    const handler = context.getHandler();
    let markers = this.markers.get(handler);
    if (!markers || markers.controller !== context.getClass()) {
      const targets = [handler, context.getClass()];
      markers = {
        controller: context.getClass(),
        isPublic: Boolean(this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)),
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets),
        ownSession: Boolean(this.reflector.getAllAndOverride<boolean>(OWN_SESSION, targets)),
      };
      this.markers.set(handler, markers);
    }
    return markers;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, roles, ownSession } = this.markersOf(context);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    // The route's own statement checks the user row (@ChecksCallerItself()), unless a role must be
    // checked here: then the row is read now, as for every other route.
    if (!request.actor && request.tokenCaller) {
      if (!roles && READ_METHODS.has(request.method)) return true;
      request.actor = await this.credentials.resolve(request.tokenCaller);
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    // Usually already known: authenticateBeforeBody() ran in onRequest, before the body was read.
    if (!request.actor) {
      const actor = await this.credentials.authenticate(header('authorization'), header('x-api-key'));
      request.actor = { ...actor, requestId: String(request.id), request: requestContextOf(request) };
    }
    if (!READ_METHODS.has(request.method) && !ownSession) assertMayWrite(request.actor);
    if (roles) assertRole(request.actor, roles);
    return true;
  }
}

/**
 * Authenticates every non-public API request in Fastify's onRequest hook, before any body is
 * parsed or read: a stranger gets 401 whatever content type or body it sends (not 415 or 400),
 * and an upload is read only once the caller is known. The guard then finds the actor in place.
 * Registered before the upload hooks, so it answers first.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, credentials: CredentialsService): void {
  fastify.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (!url || !url.startsWith('/api/') || url.includes('*')) return;
    if ((request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[PUBLIC_ROUTE_CONFIG] === true) return;
    if (request.method === 'OPTIONS') return;
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (routeChecksCaller(request, header('authorization'), header('x-api-key'))) {
      const caller = await credentials.verifyBearer(header('authorization'), String(request.id));
      (request as unknown as RequestWithCaller).tokenCaller = { ...caller, request: requestContextOf(request) };
      return;
    }
    const actor = await credentials.authenticate(header('authorization'), header('x-api-key'));
    (request as unknown as RequestWithActor).actor = { ...actor, requestId: String(request.id), request: requestContextOf(request) };
  });
}
