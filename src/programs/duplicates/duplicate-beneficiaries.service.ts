import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { FingerprintKey } from '../../students/import/fingerprints.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import type { ConflictingImports, DuplicateBeneficiariesResponse, DuplicateFamily, IdentityField } from '../dto/duplicate-beneficiaries.dto.js';

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
    const [program] = await this.dataSource.query(`SELECT rules FROM programs WHERE id = $1`, [programId]);
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
    const rows: { family_card_number: string; devices: number; students: { studentId: string; schoolId: string; via: 'loan' | 'allocation'; id: string }[] }[] =
      await this.dataSource.query(
        `WITH holdings AS (
           SELECT s.family_card_number, s.id AS student_id, s.school_id, 'loan' AS via, l.id
           FROM loans l JOIN students s ON s.id = l.student_id
           WHERE l.program_id = $1 AND l.status = 'active' AND s.family_card_number IS NOT NULL
           UNION ALL
           SELECT s.family_card_number, s.id, s.school_id, 'allocation', a.id
           FROM applications a JOIN students s ON s.id = a.student_id
           WHERE a.program_id = $1 AND a.status = 'allocated' AND s.family_card_number IS NOT NULL)
         SELECT family_card_number, count(*)::int AS devices,
                jsonb_agg(jsonb_build_object('studentId', student_id, 'schoolId', school_id, 'via', via, 'id', id) ORDER BY student_id, id) AS students
         FROM holdings GROUP BY family_card_number
         HAVING count(*) > $2 ${scope ? 'AND bool_or(school_id = $3)' : ''}
         ORDER BY count(*) DESC, family_card_number`,
        scope ? [programId, limit, scope] : [programId, limit],
      );
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
    const scoped = scope ? 'AND f.school_id = $3 AND s.school_id = $3' : '';
    const rows: ConflictRow[] = await this.dataSource.query(
      `WITH accounts AS (
         SELECT f.* FROM student_import_fingerprints f JOIN students s ON s.id = f.student_id
         WHERE f.key_id = $1 ${scoped}
       ), conflicted AS (
         SELECT student_id, max(recorded_at) AS latest FROM accounts GROUP BY student_id
         HAVING count(DISTINCT name_fp) > 1 OR count(DISTINCT birth_fp) > 1 OR count(DISTINCT nullif(card_fp, 0)) > 1
         ORDER BY latest DESC, student_id LIMIT ${LISTED_CONFLICTS + 1}
       )
       SELECT s.id, s.nisn, s.school_id,
              EXISTS (SELECT 1 FROM applications a WHERE a.student_id = s.id AND a.program_id = $2 AND a.status IN ('pending', 'allocated', 'fulfilled'))
                OR EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.program_id = $2 AND l.status = 'active') AS beneficiary,
              (SELECT json_agg(json_build_object('importId', a.import_id, 'schoolId', a.school_id, 'recordedAt', a.recorded_at, 'accepted', a.accepted,
                                                 'name', a.name_fp::text, 'birth', a.birth_fp::text, 'card', a.card_fp::text)
                               ORDER BY a.recorded_at, a.import_id, a.name_fp, a.birth_fp, a.card_fp)
                 FROM accounts a WHERE a.student_id = s.id) AS accounts
       FROM conflicted c JOIN students s ON s.id = c.student_id
       ORDER BY c.latest DESC, s.id`,
      scope ? [this.fingerprintKeyId, programId, scope] : [this.fingerprintKeyId, programId],
    );
    return rows.map(toConflict);
  }
}

interface ConflictRow {
  id: string;
  nisn: string;
  school_id: string;
  beneficiary: boolean;
  accounts: { importId: string; schoolId: string; recordedAt: string; accepted: boolean; name: string; birth: string; card: string }[];
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
