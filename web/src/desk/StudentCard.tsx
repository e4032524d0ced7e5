import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { problemMessage } from '../api/messages';

type Student = components['schemas']['StudentResponse'];

/** The student and their eligibility for the program, every rule with the API's reason. */
export function StudentCard({ student, programId }: { student: Student; programId: string }) {
  const { t } = useTranslation();
  const eligibility = useQuery({
    queryKey: ['eligibility', programId, student.id],
    staleTime: 0,
    queryFn: async () => ok(await api.GET('/api/v1/programs/{programId}/eligibility/{studentId}', { params: { path: { programId, studentId: student.id } } })),
  });
  const e = eligibility.data;
  return (
    <div className="student-card" aria-live="polite">
      <h3>{student.fullName}</h3>
      <dl className="facts">
        <dt>{t('desk.nisn')}</dt>
        <dd>{student.nisn}</dd>
        <dt>{t('desk.classLabel')}</dt>
        <dd>{student.className ?? student.grade}</dd>
        <dt>{t('desk.enrolment')}</dt>
        <dd>{t(`enrolment.${student.enrolmentStatus}`)}</dd>
      </dl>
      {eligibility.isError && <p className="error">{problemMessage(t, eligibility.error)}</p>}
      {e && (
        <>
          <p className={`badge ${e.eligible ? 'ok' : 'bad'}`}>{t(e.eligible ? 'desk.eligible' : 'desk.notEligible')}</p>
          <ul className="rules" aria-label={t('desk.rules')}>
            {e.rules.map((r) => (
              <li key={r.rule} className={r.passed ? '' : r.severity === 'block' ? 'failed' : 'warned'}>
                <span className="visually-hidden">{t(r.passed ? 'desk.rulePassed' : 'desk.ruleFailed')}: </span>
                {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
