import type { Actor, Role } from '../common/actor.js';
import { forbidden, notFound, type NotFoundCode } from '../common/errors.js';
import type { ProblemCode } from '../i18n/i18n.js';

/**
 * What an actor wants to do with a school's data:
 * - `read`: see it;
 * - `operate`: change it as the school's own operator would (students, loans, returns);
 * - `administer`: change it as the program office would (the school record, its stock).
 */
export type SchoolAccess = 'read' | 'operate' | 'administer';

/**
 * THE access check. Every service method that reads or writes a school's data calls this with
 * the school the record belongs to, before anything else. The order of the checks matters:
 * another school's record is a 404 even for a write, so a school admin learns nothing about it.
 */
export function assertSchoolAccess(actor: Actor, schoolId: string | null, access: SchoolAccess, what: NotFoundCode = 'record_not_found'): void {
  if (actor.role === 'school_admin' && (schoolId === null || schoolId !== actor.schoolId)) {
    throw notFound(what);
  }
  if (access === 'read') return;
  if (actor.role === 'auditor') throw forbidden('auditor_read_only');
  if (access === 'administer' && actor.role !== 'program_admin') {
    throw forbidden('program_admin_only');
  }
}

/** For lists: the school to restrict to. School admins are always held to their own school. */
export function readableSchoolFilter(actor: Actor, requested: string | undefined): string | undefined {
  if (actor.role === 'school_admin') {
    if (requested !== undefined && requested !== actor.schoolId) throw notFound('school_not_found');
    return actor.schoolId ?? undefined;
  }
  return requested;
}

/** For city-wide resources (users, API keys, programs): only these roles may act. */
export function assertRole(actor: Actor, allowed: readonly Role[]): void {
  if (!allowed.includes(actor.role)) throw forbidden('role_required', { roles: allowed.join(', ') });
}

/** Auditors never write. Checked by the auth guard for every non-GET request, whatever the route. */
export function assertMayWrite(actor: Actor): void {
  if (actor.role === 'auditor') throw forbidden('auditor_read_only');
}

/**
 * A school admin is held to their own school: a list shows only it, the store is none of theirs,
 * and naming another school finds nothing. Services ask this instead of looking at the role.
 */
export function isHeldToOwnSchool(actor: Actor): boolean {
  return actor.role === 'school_admin';
}

/** The school an actor works for when a request names none: a school admin's own, else null. */
export function ownSchool(actor: Actor): string | null {
  return isHeldToOwnSchool(actor) ? actor.schoolId : null;
}

/** The read half of `assertSchoolAccess`, as a filter: may this actor see this school's records? */
export function canReadSchool(actor: Actor, schoolId: string | null): boolean {
  return !isHeldToOwnSchool(actor) || (schoolId !== null && schoolId === actor.schoolId);
}

/** Decisions only the program office takes (a waiver, a relocation at a stock-take). */
export function isProgramOffice(actor: Actor): boolean {
  return actor.role === 'program_admin';
}

/** The same, refused with the operation's own code for anyone else. */
export function assertProgramOffice(actor: Actor, code: ProblemCode): void {
  if (!isProgramOffice(actor)) throw forbidden(code);
}
