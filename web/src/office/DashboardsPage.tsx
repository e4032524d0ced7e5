import './office.css';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useSchools } from '../components/school';
import { CoverageSection, StockSection } from './coverage';
import { FilterBar, useFilters, useProgramId } from './filters';
import { todayWib } from './format';
import { ActivitySection, LossesSection, OverdueSection } from './money';
import { DownloadButton } from './Section';

export const summaryPdf = (programId: string | undefined, schoolId: string) => async () =>
  ok(await api.GET('/api/v1/reports/summary.pdf', { params: { query: { programId, schoolId: schoolId || undefined } }, parseAs: 'blob' }));

/**
 * The auditor's dashboards: coverage, stock, overdue ageing, losses and charges, activity. Every
 * chart has the table it draws beside it and the report's CSV; the summary PDF covers them all.
 * Read-only: nothing here changes anything.
 */
export default function DashboardsPage() {
  const { t } = useTranslation();
  const [filters, set] = useFilters();
  const programId = useProgramId(filters);
  const schools = useSchools();
  const byId = new Map((schools.data ?? []).map((s) => [s.id, s]));
  return (
    <main id="main" className="page office">
      <div className="page-head">
        <h1>{t('office.dashboards.title')}</h1>
        <DownloadButton primary label={t('office.summaryPdf')} name={`ringkasan-${todayWib()}.pdf`} get={summaryPdf(programId, filters.school)} />
      </div>
      <FilterBar filters={filters} set={set} />
      {!programId ? (
        <p role="status">{t('office.noProgram')}</p>
      ) : (
        <>
          <CoverageSection programId={programId} filters={filters} schools={byId} />
          <OverdueSection programId={programId} filters={filters} schools={byId} />
          <StockSection filters={filters} schools={byId} />
          <LossesSection filters={filters} schools={byId} />
          <ActivitySection filters={filters} schools={byId} />
        </>
      )}
    </main>
  );
}
