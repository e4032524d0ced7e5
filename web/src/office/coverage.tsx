import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { BarChart, COLORS } from './Chart';
import type { Filters } from './filters';
import { count, json, share } from './format';
import { FigureTable, Section } from './Section';

type School = components['schemas']['SchoolResponse'];
type Figures = { eligible: number; applications: number; allocated: number; onLoan: number; served: number };
const ZERO: Figures = { eligible: 0, applications: 0, allocated: 0, onLoan: 0, served: 0 };

/** served / eligible rounded to 4 decimals, as the API defines shareServed; null when none is eligible. */
const shareOf = (f: Figures) => (f.eligible ? Math.round((f.served / f.eligible) * 10_000) / 10_000 : null);
const add = (a: Figures, b: Figures): Figures => ({
  eligible: a.eligible + b.eligible,
  applications: a.applications + b.applications,
  allocated: a.allocated + b.allocated,
  onLoan: a.onLoan + b.onLoan,
  served: a.served + b.served,
});

export function useCoverage(programId: string | undefined, schoolId: string) {
  return useQuery({
    queryKey: ['report', 'coverage', programId, schoolId],
    enabled: !!programId,
    queryFn: async () => json(ok(await api.GET('/api/v1/reports/coverage', { params: { query: { programId: programId!, schoolId: schoolId || undefined } } }))),
  });
}

export const coverageCsv = (programId: string, schoolId: string) => async () =>
  ok(await api.GET('/api/v1/reports/coverage', { params: { query: { programId, schoolId: schoolId || undefined, format: 'csv' } }, parseAs: 'blob' }));

/**
 * Coverage by school and by district: the API's rows (school x grade x social aid) added up per
 * school and per district. The lowest share comes first: that is the school to look at.
 */
export function CoverageSection({ programId, filters, schools }: { programId: string; filters: Filters; schools: Map<string, School> }) {
  const { t } = useTranslation();
  const report = useCoverage(programId, filters.school);
  const inDistrict = (schoolId: string) => !filters.district || schools.get(schoolId)?.district === filters.district;
  const bySchool = new Map<string, { id: string; name: string; district: string; f: Figures }>();
  for (const row of report.data?.items ?? []) {
    if (!inDistrict(row.schoolId)) continue;
    const entry = bySchool.get(row.schoolId) ?? { id: row.schoolId, name: row.schoolName, district: schools.get(row.schoolId)?.district ?? '', f: ZERO };
    entry.f = add(entry.f, row);
    bySchool.set(row.schoolId, entry);
  }
  const ranked = [...bySchool.values()].sort((a, b) => (shareOf(a.f) ?? 2) - (shareOf(b.f) ?? 2) || a.name.localeCompare(b.name));
  const byDistrict = new Map<string, Figures>();
  for (const s of ranked) byDistrict.set(s.district, add(byDistrict.get(s.district) ?? ZERO, s.f));
  // The API's own totals for the city or the school; a district's are the sum of its schools.
  const totals: Figures & { shareServed?: number | null } = filters.district ? ranked.reduce((n, s) => add(n, s.f), ZERO) : (report.data?.totals.all ?? ZERO);
  const totalShare = filters.district ? shareOf(totals) : (report.data?.totals.all.shareServed ?? null);
  const query = filters.program ? `?program=${filters.program}` : '';
  const title = t('office.coverage.title');
  return (
    <Section report={report} id="coverage" title={title} csv={{ name: `coverage-${report.data?.parameters.programCode ?? ''}.csv`, get: coverageCsv(programId, filters.school) }}>
      <div role="group" aria-label={t('office.coverage.totals')}>
        <dl className="tiles">
        <div><dt>{t('office.coverage.eligible')}</dt><dd data-figure="eligible">{count(totals.eligible)}</dd></div>
        <div><dt>{t('office.coverage.served')}</dt><dd data-figure="served">{count(totals.served)}</dd></div>
        <div><dt>{t('office.coverage.share')}</dt><dd data-figure="share">{share(totalShare)}</dd></div>
        <div><dt>{t('office.coverage.onLoan')}</dt><dd data-figure="onLoan">{count(totals.onLoan)}</dd></div>
      </dl>
      </div>
      <BarChart
        title={t('office.coverage.chart')}
        series={[
          { key: 'served', label: t('office.coverage.served'), color: COLORS.green },
          { key: 'waiting', label: t('office.coverage.notServed'), color: COLORS.grey },
        ]}
        bars={ranked.map((s) => ({ label: s.name, values: { served: s.f.served, waiting: Math.max(s.f.eligible - s.f.served, 0) } }))}
        format={count}
      />
      <FigureTable
        caption={t('office.coverage.bySchool')}
        text={2}
        head={[t('office.schoolCol'), t('office.district'), t('office.coverage.eligible'), t('office.coverage.served'), t('office.coverage.share'), t('office.coverage.applications'), t('office.coverage.onLoan')]}
        rows={ranked.map((s) => [
          <Link href={`/dashboards/schools/${s.id}${query}`}>{s.name}</Link>,
          s.district,
          count(s.f.eligible),
          count(s.f.served),
          share(shareOf(s.f)),
          count(s.f.applications),
          count(s.f.onLoan),
        ])}
      />
      <FigureTable
        caption={t('office.coverage.byDistrict')}
        head={[t('office.district'), t('office.coverage.eligible'), t('office.coverage.served'), t('office.coverage.share')]}
        rows={[...byDistrict.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, f]) => [d, count(f.eligible), count(f.served), share(shareOf(f))])}
      />
    </Section>
  );
}

export const stockCsv = (schoolId: string) => async () =>
  ok(await api.GET('/api/v1/reports/stock-reconciliation', { params: { query: { schoolId: schoolId || undefined, view: schoolId ? 'schools' : 'batches', format: 'csv' } }, parseAs: 'blob' }));

/** Stock reconciliation per procurement batch (city-wide), or per location for one school or district. */
export function StockSection({ filters, schools }: { filters: Filters; schools: Map<string, School> }) {
  const { t } = useTranslation();
  const report = useQuery({
    queryKey: ['report', 'stock', filters.school],
    queryFn: async () => json(ok(await api.GET('/api/v1/reports/stock-reconciliation', { params: { query: { schoolId: filters.school || undefined } } }))),
  });
  const statuses = [
    { key: 'inStock', label: t('office.stock.inStock'), color: COLORS.blue },
    { key: 'reserved', label: t('office.stock.reserved'), color: COLORS.teal },
    { key: 'onLoan', label: t('office.stock.onLoan'), color: COLORS.green },
    { key: 'inRepair', label: t('office.stock.inRepair'), color: COLORS.amber },
    { key: 'lost', label: t('office.stock.lost'), color: COLORS.red },
    { key: 'stolen', label: t('office.stock.stolen'), color: COLORS.purple },
    { key: 'retired', label: t('office.stock.retired'), color: COLORS.grey },
  ] as const;
  const perLocation = !!(filters.school || filters.district);
  const locations = (report.data?.schools ?? []).filter((s) => !filters.district || (s.schoolId && schools.get(s.schoolId)?.district === filters.district));
  const rows: { label: string; bought?: number; difference?: number; mismatch: boolean; values: { [key: string]: unknown } }[] = perLocation
    ? locations.map((s) => ({ label: s.schoolName, mismatch: s.mismatch, values: s }))
    : (report.data?.batches ?? []).map((b) => ({ label: b.contractRef, bought: b.bought, difference: b.difference, mismatch: b.mismatch, values: b }));
  const mismatches = report.data?.mismatches.length ?? 0;
  const title = perLocation ? t('office.stock.titleLocations') : t('office.stock.title');
  return (
    <Section
      report={report}
      id="stock"
      title={title}
      csv={{ name: perLocation ? 'stock-locations.csv' : 'stock-batches.csv', get: stockCsv(filters.school) }}
      note={
        <p className={mismatches ? 'error' : 'notice'} role="status">
          {mismatches ? t('office.stock.mismatches', { count: mismatches }) : t('office.stock.reconciled')}
        </p>
      }
    >
      <BarChart title={title} series={statuses.map((s) => ({ ...s }))} bars={rows.map((r) => ({ label: r.label, values: r.values }))} format={count} />
      <FigureTable
        caption={title}
        head={[
          perLocation ? t('office.schoolCol') : t('office.stock.batch'),
          ...(perLocation ? [] : [t('office.stock.bought')]),
          t('office.stock.total'),
          ...(perLocation ? [] : [t('office.stock.difference')]),
          ...statuses.map((s) => s.label),
          t('office.stock.check'),
        ]}
        rows={rows.map((r) => [
          r.label,
          ...(perLocation ? [] : [count(r.bought ?? 0)]),
          count(Number(r.values.total)),
          ...(perLocation ? [] : [count(r.difference ?? 0)]),
          ...statuses.map((s) => count(Number(r.values[s.key]))),
          <span className={`badge ${r.mismatch ? 'bad' : 'ok'}`}>{r.mismatch ? t('office.stock.mismatch') : t('office.stock.ok')}</span>,
        ])}
      />
    </Section>
  );
}
