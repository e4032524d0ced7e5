import './office.css';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { api, ok } from '../api/client';
import { useSchools } from '../components/school';
import { coverageCsv, useCoverage } from './coverage';
import { useFilters, useProgramId } from './filters';
import { count, share, todayWib } from './format';
import { overdueCsv, useOverdue } from './money';
import { summaryPdf } from './DashboardsPage';
import { DownloadButton, FigureTable, Section } from './Section';

/** One school, drilled down from the dashboards: its coverage by grade and aid, and its overdue loans one by one. */
export default function SchoolPage() {
  const { t } = useTranslation();
  const { id } = useParams<{ id: string }>();
  const [filters] = useFilters();
  const programId = useProgramId(filters);
  const school = useQuery({ queryKey: ['school', 'full', id], queryFn: async () => ok(await api.GET('/api/v1/schools/{id}', { params: { path: { id } } })) });
  const coverage = useCoverage(programId, id);
  const overdue = useOverdue(programId, id);
  useSchools();
  const back = `/dashboards${filters.program ? `?program=${filters.program}` : ''}`;
  const all = coverage.data?.totals.all;
  return (
    <main id="main" className="page office">
      <p><Link href={back}>{t('office.school.back')}</Link></p>
      <div className="page-head">
        <h1>{school.data ? `${school.data.name} (${school.data.npsn})` : t('common.loading')}</h1>
        <DownloadButton primary label={t('office.summaryPdf')} name={`ringkasan-${school.data?.npsn ?? id}-${todayWib()}.pdf`} get={summaryPdf(programId, id)} />
      </div>
      {school.data && <p className="muted">{t('office.school.where', { district: school.data.district, level: school.data.level })}</p>}
      {programId && (
        <>
          <Section report={coverage} id="coverage" title={t('office.coverage.title')} csv={{ name: `coverage-${school.data?.npsn ?? id}.csv`, get: coverageCsv(programId, id) }}>
            <div role="group" aria-label={t('office.coverage.totals')}>
        <dl className="tiles">
              <div><dt>{t('office.coverage.eligible')}</dt><dd data-figure="eligible">{count(all?.eligible ?? 0)}</dd></div>
              <div><dt>{t('office.coverage.served')}</dt><dd data-figure="served">{count(all?.served ?? 0)}</dd></div>
              <div><dt>{t('office.coverage.share')}</dt><dd data-figure="share">{share(all?.shareServed)}</dd></div>
              <div><dt>{t('office.coverage.onLoan')}</dt><dd data-figure="onLoan">{count(all?.onLoan ?? 0)}</dd></div>
            </dl>
      </div>
            <FigureTable
              caption={t('office.school.byGrade')}
              text={2}
              head={[t('office.school.grade'), t('office.school.aid'), t('office.coverage.eligible'), t('office.coverage.applications'), t('office.coverage.served'), t('office.coverage.share')]}
              rows={(coverage.data?.items ?? []).map((r) => [t('office.school.gradeN', { grade: r.grade }), t(`office.school.aid_${r.socialAid}`), count(r.eligible), count(r.applications), count(r.served), share(r.shareServed)])}
            />
          </Section>
          <Section report={overdue} id="overdue" title={t('office.school.overdueLoans')} csv={{ name: `overdue-${school.data?.npsn ?? id}.csv`, get: overdueCsv(programId, id, 'loans') }}>
            <FigureTable
              caption={t('office.school.overdueLoans')}
              text={4}
              head={[t('office.school.agreement'), t('office.school.assetTag'), t('office.school.due'), t('office.school.reminder'), t('office.school.daysOverdue')]}
              rows={(overdue.data?.loans ?? []).map((l) => [l.agreementNumber, l.assetTag, l.dueDate, l.reminderLevel ? `${l.reminderLevel} (${l.reminderStatus ?? ''})` : t('office.school.noReminder'), count(l.daysOverdue)])}
            />
          </Section>
          <p>
            <Link href={`/evidence?program=${programId}&school=${id}`}>{t('office.school.evidence')}</Link>
          </p>
        </>
      )}
    </main>
  );
}
