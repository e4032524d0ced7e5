import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { notFound } from '../../common/errors.js';
import type { DuplicateBeneficiariesResponse } from '../dto/duplicate-beneficiaries.dto.js';

/**
 * Families (students sharing a family card number) that hold or are allocated more devices in a
 * program than its rules allow: one per card when `onePerFamilyCard` is on. A school admin sees
 * the families with a student at their school (and only those students).
 */
@Injectable()
export class DuplicateBeneficiariesService {
  constructor(private readonly dataSource: DataSource) {}

  async report(actor: Actor, programId: string, schoolId?: string): Promise<DuplicateBeneficiariesResponse> {
    const [program] = await this.dataSource.query(`SELECT rules FROM programs WHERE id = $1`, [programId]);
    if (!program) throw notFound('The program');
    const limit = program.rules?.onePerFamilyCard ? 1 : null;
    const scope = readableSchoolFilter(actor, schoolId);
    if (limit === null) return { programId, limitPerFamily: null, families: [] };
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
    return {
      programId,
      limitPerFamily: limit,
      families: rows.map((r) => ({
        familyCardNumber: r.family_card_number,
        devices: r.devices,
        holdings: r.students.filter((h) => !scope || h.schoolId === scope),
      })),
    };
  }
}
