import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useLocation, useSearch } from 'wouter';
import { api, ok } from '../api/client';
import { useSchools } from '../components/school';

/**
 * The dashboards' filters (program, district, school, period, interval), kept in the address so a
 * drill-down, the back button and a bookmark show the same figures.
 */
export type Filters = { program: string; district: string; school: string; from: string; to: string; interval: 'day' | 'week' };

export function useFilters(): [Filters, (change: Partial<Filters>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const q = new URLSearchParams(search);
  const filters: Filters = {
    program: q.get('program') ?? '',
    district: q.get('district') ?? '',
    school: q.get('school') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    interval: q.get('interval') === 'day' ? 'day' : 'week',
  };
  const set = (change: Partial<Filters>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, ...change })) if (v && !(k === 'interval' && v === 'week')) next.set(k, v);
    navigate(`${location}${next.size ? `?${next}` : ''}`, { replace: true });
  };
  return [filters, set];
}

/** Programs, newest first. */
export function usePrograms() {
  return useQuery({
    queryKey: ['programs'],
    queryFn: async () => ok(await api.GET('/api/v1/programs', { params: { query: { limit: 500 } } })).items.sort((a, b) => b.startsOn.localeCompare(a.startsOn)),
  });
}

/** The program the filters name, else the newest one. */
export function useProgramId(filters: Filters): string | undefined {
  const programs = usePrograms();
  return filters.program || programs.data?.[0]?.id;
}

export function FilterBar({ filters, set, period = true }: { filters: Filters; set: (c: Partial<Filters>) => void; period?: boolean }) {
  const { t } = useTranslation();
  const programs = usePrograms();
  const schools = useSchools();
  const programId = filters.program || programs.data?.[0]?.id || '';
  const districts = [...new Set((schools.data ?? []).map((s) => s.district))].sort();
  const shown = (schools.data ?? []).filter((s) => !filters.district || s.district === filters.district);
  return (
    <form className="filters card" role="search" aria-label={t('office.filters.label')} onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('office.filters.program')}
        <select value={programId} onChange={(e) => set({ program: e.target.value })}>
          {programs.data?.map((p) => (
            <option key={p.id} value={p.id}>{`${p.code} · ${p.name}`}</option>
          ))}
        </select>
      </label>
      <label>
        {t('office.filters.district')}
        <select value={filters.district} onChange={(e) => set({ district: e.target.value, school: '' })}>
          <option value="">{t('office.filters.allDistricts')}</option>
          {districts.map((d) => (
            <option key={d} value={d}>{d}</option>
          ))}
        </select>
      </label>
      <label>
        {t('office.filters.school')}
        <select value={filters.school} onChange={(e) => set({ school: e.target.value })}>
          <option value="">{t('office.filters.allSchools')}</option>
          {shown.map((s) => (
            <option key={s.id} value={s.id}>{s.name}</option>
          ))}
        </select>
      </label>
      {period && (
        <>
          <label>
            {t('office.filters.from')}
            <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
          </label>
          <label>
            {t('office.filters.to')}
            <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
          </label>
          <label>
            {t('office.filters.interval')}
            <select value={filters.interval} onChange={(e) => set({ interval: e.target.value as 'day' | 'week' })}>
              <option value="week">{t('office.filters.week')}</option>
              <option value="day">{t('office.filters.day')}</option>
            </select>
          </label>
        </>
      )}
    </form>
  );
}
