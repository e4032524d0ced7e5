import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.js';
import type { Role } from '../common/actor.js';

export const PUBLIC_ROUTE = 'auth:public';
export const ALLOWED_ROLES = 'auth:roles';

/** Marks a route public in Fastify's route config too, where the onRequest hook reads it. */
export const PUBLIC_ROUTE_CONFIG = 'publicRoute';

/** No authentication (login, health, agreement verification). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), RouteConfig({ [PUBLIC_ROUTE_CONFIG]: true }));

/**
 * Marks a controller or route as authenticated (bearer token or API key) and documents the
 * 401/403 answers. With roles given, only those roles pass the guard (others get 403).
 */
export const Authenticated = (...roles: Role[]) =>
  applyDecorators(
    ApiBearerAuth('bearer'),
    ApiSecurity('apiKey'),
    ApiProblems(401, 403, 503),
    ...(roles.length ? [SetMetadata(ALLOWED_ROLES, roles)] : []),
  );

/** Narrows an `@Authenticated()` controller's route to some roles, without documenting auth twice. */
export const RequireRoles = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

export const OWN_SESSION = 'auth:own-session';

/** A write that only touches the caller's own session (logout): auditors may call it too. */
export const OwnSession = () => SetMetadata(OWN_SESSION, true);
