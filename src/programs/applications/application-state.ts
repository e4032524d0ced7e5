import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApplicationStatus } from '../dto/application.dto.js';
import { runStatement, statement } from '../../database/statements.js';
import type { ApplicationRow } from './applications.queries.js';

/**
 * The application state machine: the only place that says which status may follow which. An
 * application is decided when it is made (pending, or rejected by the rules); a pending one is
 * reserved a device by an allocation run, fulfilled by an issue (with or without a reservation),
 * or withdrawn; an allocated one is fulfilled or withdrawn (its device goes back to stock).
 */
export const APPLICATION_TRANSITIONS: Record<ApplicationStatus, readonly ApplicationStatus[]> = {
  pending: ['allocated', 'fulfilled', 'withdrawn'],
  allocated: ['fulfilled', 'withdrawn'],
  fulfilled: [],
  rejected: [],
  withdrawn: [],
};

/** An application row its caller read `FOR UPDATE` in the same transaction, so `status` is current. */
export interface LockedApplication {
  readonly id: string;
  status: ApplicationStatus;
}

/** The device the application is served by after the change: set (allocated, fulfilled) or cleared (withdrawn). */
export interface ApplicationStatusDetails {
  deviceId: string | null;
  allocationRunId?: string;
}

/** The status write: $3 the device it is served by, $4 the run that allocated it (null keeps it). */
export const APPLICATION_SET_STATUS = statement<ApplicationRow>(
  'application_set_status',
  `UPDATE applications SET status = $2, device_id = $3, allocation_run_id = coalesce($4, allocation_run_id), decided_at = now(), version = version + 1
   WHERE id = $1
   RETURNING id, program_id, student_id, school_id, status, priority, eligibility, device_id, applied_at, decided_at`,
);

/**
 * The one place an application's status is written, exported by ProgramsModule to loans (an
 * issue fulfils the application). Callers check their own, more specific conditions first (a
 * withdrawal answers `application_not_withdrawable`), so a refused transition here is a
 * programming error, not a client's: it is thrown as one.
 */
@Injectable()
export class ApplicationStates {
  async change(tx: EntityManager, application: LockedApplication, to: ApplicationStatus, details: ApplicationStatusDetails): Promise<ApplicationRow> {
    if (!APPLICATION_TRANSITIONS[application.status].includes(to)) {
      throw new Error(`An application cannot go from ${application.status} to ${to}`);
    }
    const [row] = await runStatement(tx, APPLICATION_SET_STATUS, [application.id, to, details.deviceId, details.allocationRunId ?? null]);
    application.status = to;
    return row;
  }
}
