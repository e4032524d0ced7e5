import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { answerLanguage } from '../../common/request-context.js';
import type { Language } from '../../i18n/i18n.js';
import { notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { Clock } from '../../common/clock.js';
import { DeviceStates, type LockedDevice } from '../../devices/device-state.js';
import { ApplicationStates, type LockedApplication } from '../applications/application-state.js';
import type { AllocationRequest, AllocationResponse, SchoolAllocationResponse } from '../dto/application.dto.js';
import { evaluateEligibility } from '../eligibility/eligibility.js';
import { EligibilityFacts } from '../eligibility/eligibility-facts.js';
import { Program } from '../program.entity.js';
import {
  ALLOCATION_NEW_RUN_ID,
  ALLOCATION_PENDING,
  ALLOCATION_PENDING_LOCK,
  ALLOCATION_PROGRAM_LOCK,
  ALLOCATION_RUN_INSERT,
  ALLOCATION_SCHOOL_QUOTA,
  ALLOCATION_SCHOOL_STOCK,
  ALLOCATION_SCHOOL_STOCK_LOCK,
} from './allocation.queries.js';
import { planSchool, type SchoolPlan, type ServedSibling } from './allocation-plan.js';
import { movedSchool, renderAllocationReason, ruleReason } from './allocation-reasons.js';

/** The rows a real run read FOR UPDATE, by id: what it reserves comes from these. */
interface LockedRows {
  devices: Map<string, LockedDevice>;
  applications: Map<string, LockedApplication>;
}

/** A school's part of a run as stored: the reasons as codes and params, worded only when answering. */
type SchoolRun = Omit<SchoolAllocationResponse, 'waiting' | 'ineligible'> & Pick<SchoolPlan, 'waiting' | 'ineligible'>;

/**
 * An allocation run reserves in-stock devices at each school for the highest-priority eligible
 * pending applications, within quotas, in one transaction. A dry run computes the same plan the
 * same way and writes nothing. Runs of one program take turns on an advisory lock; devices are
 * locked with SKIP LOCKED, and a partial unique index allows one allocated application per
 * device, so no device is ever reserved twice.
 */
@Injectable()
export class AllocationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly eligibilityFacts: EligibilityFacts,
    private readonly applicationStates: ApplicationStates,
    private readonly deviceStates: DeviceStates,
    private readonly clock: Clock,
  ) {}

  run(actor: Actor, programId: string, request: AllocationRequest, idempotency?: IdempotencyRequest): Promise<AllocationResponse> {
    assertRole(actor, ['program_admin']);
    const dryRun = request.dryRun ?? false;
    return this.transactions.run(dryRun ? undefined : idempotency, async (tx) => {
      await runStatement(tx, ALLOCATION_PROGRAM_LOCK, [programId]);
      const program = await tx.findOneBy(Program, { id: programId });
      if (!program) throw notFound('program_not_found');
      const date = this.clock.today();
      // applied_at to the microsecond (a JS Date would drop them), so first come is decided as the database records it.
      // A real run locks the pending applications: one withdrawn meanwhile is then either seen as
      // withdrawn here, or waits for this run and releases its device, never left reserved for nobody.
      const pending = await runStatement(tx, dryRun ? ALLOCATION_PENDING : ALLOCATION_PENDING_LOCK, [programId, request.schoolId || null]);
      const contexts = await this.eligibilityFacts.gather(tx, programId, pending.map((p) => p.student_id));
      const schools = [...new Set(pending.map((p) => p.school_id))].sort();
      const runId: string | null = dryRun ? null : (await runStatement(tx, ALLOCATION_NEW_RUN_ID, []))[0].id;
      const results: SchoolRun[] = [];
      const servedFamilyCards = new Map<string, ServedSibling>();
      for (const schoolId of schools) {
        const candidates = pending
          .filter((p) => p.school_id === schoolId)
          .map((p) => {
            const context = contexts.get(p.student_id)!;
            // A student who moved school since applying is judged at the school they are at now.
            const result = evaluateEligibility(this.eligibilityFacts.inputFor(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, date));
            const moved = context.schoolId !== schoolId;
            return {
              applicationId: p.id,
              studentId: p.student_id,
              priority: result.priority,
              appliedAt: p.applied_key,
              eligible: result.eligible && !moved,
              ineligibleBecause: [
                ...result.rules.filter((r) => !r.passed && r.severity === 'block').map(ruleReason),
                ...(moved ? [movedSchool(context.schoolId)] : []),
              ],
              familyCard: program.rules.onePerFamilyCard ? context.facts.familyCardNumber : null,
            };
          });
        const devices = await runStatement(tx, dryRun ? ALLOCATION_SCHOOL_STOCK : ALLOCATION_SCHOOL_STOCK_LOCK, [schoolId]);
        const [{ quota, already }] = await runStatement(tx, ALLOCATION_SCHOOL_QUOTA, [programId, schoolId]);
        const plan = planSchool({ schoolId, candidates, devices: devices.map((d) => d.id), quota, alreadyAllocated: already, servedFamilyCards });
        if (!dryRun) {
          const locked = { devices: new Map(devices.map((d) => [d.id, d])), applications: new Map(pending.map((p) => [p.id, p])) };
          await this.reserve(tx, actor, runId!, schoolId, plan.allocated, locked);
        }
        results.push({ schoolId, stock: devices.length, demand: candidates.length, quota, alreadyAllocated: already, ...plan });
      }
      const run = { runId, dryRun, programId, date, allocated: results.reduce((n, s) => n + s.allocated.length, 0), schools: results };
      if (!dryRun) {
        await runStatement(tx, ALLOCATION_RUN_INSERT, [runId, programId, actor.id, run.allocated, JSON.stringify(run)]);
        await this.audit.record(tx, actor, { action: 'program.allocation_run', entityType: 'program', entityId: programId, schoolId: null, after: { runId, allocated: run.allocated } });
      }
      const language = answerLanguage(actor);
      return { ...run, schools: run.schools.map((school) => toSchoolAllocationResponse(school, language)) };
    });
  }

  private async reserve(tx: EntityManager, actor: Actor, runId: string, schoolId: string, allocated: SchoolAllocationResponse['allocated'], locked: LockedRows): Promise<void> {
    for (const entry of allocated) {
      await this.deviceStates.change(tx, locked.devices.get(entry.deviceId)!, 'reserved');
      await this.applicationStates.change(tx, locked.applications.get(entry.applicationId)!, 'allocated', { deviceId: entry.deviceId, allocationRunId: runId });
      await this.audit.record(tx, actor, {
        action: 'application.allocated',
        entityType: 'application',
        entityId: entry.applicationId,
        schoolId,
        after: { status: 'allocated', deviceId: entry.deviceId, runId, priority: entry.priority },
      });
      await this.audit.record(tx, actor, { action: 'device.reserved', entityType: 'device', entityId: entry.deviceId, schoolId, before: { status: 'in_stock' }, after: { status: 'reserved', applicationId: entry.applicationId } });
    }
  }
}

/** A school's part of a run, its reasons worded in the language of the answer. */
function toSchoolAllocationResponse(school: SchoolRun, language: Language): SchoolAllocationResponse {
  return {
    ...school,
    waiting: school.waiting.map((w) => ({ ...w, reasons: w.reasons.map((r) => renderAllocationReason(r, language)) })),
    ineligible: school.ineligible.map((i) => ({ ...i, reasons: i.reasons.map((r) => renderAllocationReason(r, language)) })),
  };
}
