import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { FingerprintKey } from '../../students/import/fingerprints.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import type { ConflictingImports, DuplicateBeneficiariesResponse, DuplicateFamily, IdentityField } from '../dto/duplicate-beneficiaries.dto.js';
import { type ConflictRow, DUPLICATE_CONFLICTING_IMPORTS, DUPLICATE_FAMILIES, DUPLICATE_PROGRAM_RULES } from './duplicate-beneficiaries.queries.js';

/** How many NISNs with disagreeing imports the report lists. */
const LISTED_CONFLICTS = 500;

/**
 * The duplicate-beneficiary check, in two parts:
 *
 * - families (students sharing a family card number) that hold or are allocated more devices in a
 *   program than its rules allow: one per card when `onePerFamilyCard` is on;
 * - NISNs whose student imports disagree on who the student is (name, birth date, family card),
 *   from the fingerprints each import records (src/students/import/fingerprints.ts).
 *
 * A school admin sees the families with a student at their school (and only those students), and
 * the disagreements among their own school's imports of their own students.
 */
@Injectable()
export class DuplicateBeneficiariesService {
  private readonly fingerprintKeyId: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: StudentAccessLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fingerprintKeyId = new FingerprintKey(config.privacy.pseudonymSecret).id;
  }

  async report(actor: Actor, programId: string, schoolId?: string): Promise<DuplicateBeneficiariesResponse> {
    const [program] = await runStatement(this.dataSource.manager, DUPLICATE_PROGRAM_RULES, [programId]);
    if (!program) throw notFound('program_not_found');
    const limit = program.rules?.onePerFamilyCard ? 1 : null;
    const scope = readableSchoolFilter(actor, schoolId);
    const conflicts = await this.conflictingImports(programId, scope);
    const families = limit === null ? [] : await this.families(programId, limit, scope);
    const listed = conflicts.slice(0, LISTED_CONFLICTS);
    // Family card numbers and NISNs: every student the report names is a read of their data.
    const named = new Map<string, string>();
    for (const f of families) for (const h of f.holdings) named.set(h.studentId, h.schoolId);
    for (const c of listed) named.set(c.studentId, c.schoolId);
    this.accessLog.record(actor, 'report.duplicate-beneficiaries', [...named].map(([id, school]) => ({ id, schoolId: school })));
    return { programId, limitPerFamily: limit, families, conflictingImports: listed, conflictsTruncated: conflicts.length > LISTED_CONFLICTS };
  }

  private async families(programId: string, limit: number, scope: string | undefined): Promise<DuplicateFamily[]> {
    const rows = await runStatement(this.dataSource.manager, DUPLICATE_FAMILIES, [programId, limit, scope ?? null]);
    return rows.map((r) => ({
      familyCardNumber: r.family_card_number,
      devices: r.devices,
      holdings: r.students.filter((h) => !scope || h.schoolId === scope),
    }));
  }

  /**
   * Students with more than one value of a field across their import fingerprints (card: among
   * rows that gave one). The fingerprints stay in the database: the answer numbers the variants.
   */
  private async conflictingImports(programId: string, scope: string | undefined): Promise<ConflictingImports[]> {
    const rows = await runStatement(this.dataSource.manager, DUPLICATE_CONFLICTING_IMPORTS, [this.fingerprintKeyId, programId, scope ?? null, LISTED_CONFLICTS + 1]);
    return rows.map(toConflict);
  }
}

/** Numbers each field's distinct fingerprints in order of first appearance. */
function toConflict(row: ConflictRow): ConflictingImports {
  const numbering = () => {
    const seen = new Map<string, number>();
    return (fp: string) => seen.get(fp) ?? (seen.set(fp, seen.size + 1), seen.size);
  };
  const name = numbering();
  const birth = numbering();
  const card = numbering();
  const imports = row.accounts.map((a) => ({
    importId: a.importId,
    schoolId: a.schoolId,
    recordedAt: new Date(a.recordedAt).toISOString(),
    accepted: a.accepted,
    fullName: name(a.name),
    dateOfBirth: birth(a.birth),
    familyCardNumber: a.card === '0' ? null : card(a.card),
  }));
  const differs = (field: IdentityField) => new Set(imports.map((i) => i[field]).filter((v) => v !== null)).size > 1;
  return {
    studentId: row.id,
    nisn: row.nisn,
    schoolId: row.school_id,
    beneficiary: row.beneficiary,
    fields: (['fullName', 'dateOfBirth', 'familyCardNumber'] as const).filter(differs),
    imports,
  };
}
