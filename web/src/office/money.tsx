import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { BarChart, COLORS } from './Chart';
import type { Filters } from './filters';
import { count, json, rupiah } from './format';
import { FigureTable, Section } from './Section';

type School = components['schemas']['SchoolResponse'];
type Losses = components['schemas']['LossesFigures'];

/** Adds up the API's rows (a district's, a month's, a period's). */
const sum = <T, K extends keyof T>(rows: T[], keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, rows.reduce((n, r) => n + Number(r[k] ?? 0), 0)])) as Record<K, number>;

export function useOverdue(programId: string | undefined, schoolId: string) {
  return useQuery({
    queryKey: ['report', 'overdue', programId, schoolId],
    queryFn: async () => json(ok(await api.GET('/api/v1/reports/overdue', { params: { query: { programId: programId || undefined, schoolId: schoolId || undefined } } }))),
  });
}

export const overdueCsv = (programId: string, schoolId: string, view: 'schools' | 'loans') => async () =>
  ok(await api.GET('/api/v1/reports/overdue', { params: { query: { programId: programId || undefined, schoolId: schoolId || undefined, view, format: 'csv' } }, parseAs: 'blob' }));

/** Overdue ageing per school: 1-7, 8-30 and over 30 days. */
export function OverdueSection({ programId, filters, schools }: { programId: string; filters: Filters; schools: Map<string, School> }) {
  const { t } = useTranslation();
  const report = useOverdue(programId, filters.school);
  const rows = (report.data?.schools ?? []).filter((s) => !filters.district || schools.get(s.schoolId)?.district === filters.district);
  const buckets = [
    { key: 'overdue1To7Days', label: t('office.overdue.d1to7'), color: COLORS.amber },
    { key: 'overdue8To30Days', label: t('office.overdue.d8to30'), color: COLORS.red },
    { key: 'overdueOver30Days', label: t('office.overdue.over30'), color: COLORS.purple },
  ] as const;
  const title = t('office.overdue.title');
  const totals = sum(rows, ['activeLoans', 'overdueLoans', 'overdue1To7Days', 'overdue8To30Days', 'overdueOver30Days']);
  return (
    <Section report={report} id="overdue" title={title} csv={{ name: 'overdue-schools.csv', get: overdueCsv(programId, filters.school, 'schools') }}>
      <BarChart
        title={t('office.overdue.chart')}
        series={buckets.map((b) => ({ ...b }))}
        bars={[...rows].sort((a, b) => b.overdueLoans - a.overdueLoans).map((s) => ({ label: s.schoolName, values: s }))}
        format={count}
      />
      <FigureTable
        caption={title}
        head={[t('office.schoolCol'), t('office.overdue.active'), t('office.overdue.overdue'), ...buckets.map((b) => b.label), t('office.overdue.maxDays')]}
        rows={rows.map((s) => [s.schoolName, count(s.activeLoans), count(s.overdueLoans), ...buckets.map((b) => count(s[b.key])), count(s.maxDaysOverdue)])}
        foot={[t('office.total'), count(totals.activeLoans), count(totals.overdueLoans), ...buckets.map((b) => count(totals[b.key])), '']}
      />
    </Section>
  );
}

export const lossesCsv = (filters: Filters) => async () =>
  ok(await api.GET('/api/v1/reports/losses', { params: { query: { from: filters.from || undefined, to: filters.to || undefined, schoolId: filters.school || undefined, format: 'csv' } }, parseAs: 'blob' }));

const LOSS_KEYS: (keyof Losses)[] = ['lost', 'stolen', 'damageCharges', 'lossCharges', 'charges', 'chargedAmount', 'paidCount', 'paidAmount', 'waivedCount', 'waivedAmount', 'openCount', 'openAmount'];

/** Losses and charges: charged, paid, waived and open, per month. */
export function LossesSection({ filters, schools }: { filters: Filters; schools: Map<string, School> }) {
  const { t } = useTranslation();
  const report = useQuery({
    queryKey: ['report', 'losses', filters.from, filters.to, filters.school],
    queryFn: async () => json(ok(await api.GET('/api/v1/reports/losses', { params: { query: { from: filters.from || undefined, to: filters.to || undefined, schoolId: filters.school || undefined } } }))),
  });
  const rows = (report.data?.items ?? []).filter((r) => !filters.district || schools.get(r.schoolId)?.district === filters.district);
  const totals: Losses = filters.district ? sum(rows, LOSS_KEYS) : (report.data?.totals ?? sum([] as Losses[], LOSS_KEYS));
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const title = t('office.losses.title');
  const period = report.data ? t('office.losses.period', { from: report.data.parameters.from, to: report.data.parameters.to }) : '';
  return (
    <Section report={report} id="losses" title={title} csv={{ name: 'losses.csv', get: lossesCsv(filters) }} note={<p className="muted">{period}</p>}>
      <div role="group" aria-label={t('office.losses.totals')}>
        <dl className="tiles">
        <div><dt>{t('office.losses.charged')}</dt><dd data-figure="chargedAmount">{rupiah(totals.chargedAmount)}</dd><dd className="sub">{t('office.losses.charges', { count: totals.charges })}</dd></div>
        <div><dt>{t('office.losses.paid')}</dt><dd data-figure="paidAmount">{rupiah(totals.paidAmount)}</dd><dd className="sub">{t('office.losses.charges', { count: totals.paidCount })}</dd></div>
        <div><dt>{t('office.losses.waived')}</dt><dd data-figure="waivedAmount">{rupiah(totals.waivedAmount)}</dd><dd className="sub">{t('office.losses.charges', { count: totals.waivedCount })}</dd></div>
        <div><dt>{t('office.losses.open')}</dt><dd data-figure="openAmount">{rupiah(totals.openAmount)}</dd><dd className="sub">{t('office.losses.charges', { count: totals.openCount })}</dd></div>
        <div><dt>{t('office.losses.lostStolen')}</dt><dd data-figure="lost">{count(totals.lost)} / {count(totals.stolen)}</dd></div>
      </dl>
      </div>
      <BarChart
        title={t('office.losses.chart')}
        series={[
          { key: 'paidAmount', label: t('office.losses.paid'), color: COLORS.green },
          { key: 'waivedAmount', label: t('office.losses.waived'), color: COLORS.grey },
          { key: 'openAmount', label: t('office.losses.open'), color: COLORS.red },
        ]}
        bars={months.map((m) => ({ label: m, values: sum(rows.filter((r) => r.month === m), ['paidAmount', 'waivedAmount', 'openAmount']) }))}
        format={rupiah}
      />
      <FigureTable
        caption={title}
        text={2}
        head={[t('office.schoolCol'), t('office.losses.month'), t('office.losses.lost'), t('office.losses.stolen'), t('office.losses.chargeCount'), t('office.losses.charged'), t('office.losses.paid'), t('office.losses.waived'), t('office.losses.open')]}
        rows={rows.map((r) => [r.schoolName, r.month, count(r.lost), count(r.stolen), count(r.charges), rupiah(r.chargedAmount), rupiah(r.paidAmount), rupiah(r.waivedAmount), rupiah(r.openAmount)])}
        foot={[t('office.total'), '', count(totals.lost), count(totals.stolen), count(totals.charges), rupiah(totals.chargedAmount), rupiah(totals.paidAmount), rupiah(totals.waivedAmount), rupiah(totals.openAmount)]}
      />
    </Section>
  );
}

export const activityCsv = (filters: Filters) => async () =>
  ok(await api.GET('/api/v1/reports/activity', { params: { query: { interval: filters.interval, from: filters.from || undefined, to: filters.to || undefined, schoolId: filters.school || undefined, format: 'csv' } }, parseAs: 'blob' }));

/** Loans issued, devices returned and losses reported, per day or week. */
export function ActivitySection({ filters, schools }: { filters: Filters; schools: Map<string, School> }) {
  const { t } = useTranslation();
  const report = useQuery({
    queryKey: ['report', 'activity', filters.interval, filters.from, filters.to, filters.school],
    queryFn: async () =>
      json(ok(await api.GET('/api/v1/reports/activity', { params: { query: { interval: filters.interval, from: filters.from || undefined, to: filters.to || undefined, schoolId: filters.school || undefined } } }))),
  });
  const rows = (report.data?.items ?? []).filter((r) => !filters.district || schools.get(r.schoolId)?.district === filters.district);
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  const perPeriod = periods.map((p) => ({ period: p, ...sum(rows.filter((r) => r.period === p), ['issued', 'returned', 'lostOrStolen']) }));
  const totals = filters.district || !report.data ? sum(rows, ['issued', 'returned', 'lostOrStolen']) : report.data.totals;
  const series = [
    { key: 'issued', label: t('office.activity.issued'), color: COLORS.blue },
    { key: 'returned', label: t('office.activity.returned'), color: COLORS.green },
    { key: 'lostOrStolen', label: t('office.activity.lostOrStolen'), color: COLORS.red },
  ] as const;
  const title = t('office.activity.title');
  const period = report.data ? t('office.losses.period', { from: report.data.parameters.from, to: report.data.parameters.to }) : '';
  return (
    <Section report={report} id="activity" title={title} csv={{ name: 'activity.csv', get: activityCsv(filters) }} note={<p className="muted">{period}</p>}>
      <BarChart title={t('office.activity.chart')} series={series.map((s) => ({ ...s }))} bars={perPeriod.map((p) => ({ label: p.period, values: p }))} format={count} />
      <FigureTable
        caption={title}
        head={[filters.interval === 'week' ? t('office.activity.week') : t('office.activity.day'), ...series.map((s) => s.label)]}
        rows={perPeriod.map((p) => [p.period, count(p.issued), count(p.returned), count(p.lostOrStolen)])}
        foot={[t('office.total'), count(totals.issued), count(totals.returned), count(totals.lostOrStolen)]}
      />
    </Section>
  );
}
