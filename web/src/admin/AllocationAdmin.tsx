import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import type { components } from '../api/schema';
import { useSchools } from '../components/school';
import { usePrograms } from '../office/filters';
import { count, idempotencyKey } from '../office/format';

type Allocation = components['schemas']['AllocationResponse'];
type Reason = components['schemas']['AllocationReasonResponse'];
type Line = { rank: number; applicationId: string; studentId: string; priority: number | null; outcome: 'allocated' | 'waiting' | 'ineligible'; reasons: Reason[] };

/**
 * The allocation run: a dry run first (nothing reserved) shows, school by school, every pending
 * application ranked as the run ranks them with the reason for each: a device, waiting (quota or
 * stock), or not eligible (every failed rule with its parameters). Then the same run for real.
 */
export function AllocationAdmin() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const programs = usePrograms();
  const schools = useSchools();
  const [programId, setProgramId] = useState('');
  const [schoolId, setSchoolId] = useState('');
  const [plan, setPlan] = useState<Allocation | null>(null);
  const [result, setResult] = useState<Allocation | null>(null);
  const program = programId || programs.data?.[0]?.id || '';
  const run = useMutation({
    mutationFn: async (dryRun: boolean) =>
      ok(
        await api.POST('/api/v1/programs/{programId}/allocations', {
          params: { path: { programId: program }, header: { 'Idempotency-Key': dryRun ? undefined : idempotencyKey() } },
          body: { dryRun, schoolId: schoolId || undefined },
        }),
      ),
    onSuccess: (answer) => {
      if (answer.dryRun) {
        setPlan(answer);
        setResult(null);
      } else {
        setResult(answer);
        setPlan(null);
        void queries.invalidateQueries({ queryKey: ['report'] });
      }
    },
  });
  const shown = result ?? plan;
  const names = useStudentNames(shown);
  const schoolName = (id: string) => schools.data?.find((s) => s.id === id)?.name ?? id;
  return (
    <div className="admin">
      <section className="card" aria-labelledby="allocation">
        <h2 id="allocation">{t('admin.allocation.title')}</h2>
        <p className="muted">{t('admin.allocation.help')}</p>
        <div className="row">
          <label>
            {t('office.filters.program')}
            <select value={program} onChange={(e) => (setProgramId(e.target.value), setPlan(null), setResult(null))}>
              {programs.data?.map((p) => <option key={p.id} value={p.id}>{`${p.code} · ${p.name}`}</option>)}
            </select>
          </label>
          <label>
            {t('office.filters.school')}
            <select value={schoolId} onChange={(e) => (setSchoolId(e.target.value), setPlan(null), setResult(null))}>
              <option value="">{t('office.filters.allSchools')}</option>
              {schools.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
          <button type="button" onClick={() => run.mutate(true)} disabled={!program || run.isPending}>{t('admin.allocation.preview')}</button>
          <button type="button" className="primary" onClick={() => run.mutate(false)} disabled={!plan || run.isPending}>
            {plan ? t('admin.allocation.commitN', { count: plan.allocated }) : t('admin.allocation.commit')}
          </button>
        </div>
        {run.isError && <p className="error" role="alert">{problemMessage(t, run.error)}</p>}
        {plan && <p className="notice queued" role="status">{t('admin.allocation.planned', { count: plan.allocated })}</p>}
        {result && <p className="notice" role="status">{t('admin.allocation.done', { count: result.allocated })}</p>}
      </section>
      {shown?.schools.map((s) => (
        <section key={s.schoolId} className="card" aria-labelledby={`alloc-${s.schoolId}`}>
          <h3 id={`alloc-${s.schoolId}`}>{schoolName(s.schoolId)}</h3>
          <p className="muted">{t('admin.allocation.schoolFacts', { stock: s.stock, demand: s.demand, quota: s.quota ?? '–', already: s.alreadyAllocated })}</p>
          <div className="table-wrap" tabIndex={0}>
            <table>
              <caption className="visually-hidden">{schoolName(s.schoolId)}</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">{t('admin.allocation.rank')}</th>
                  <th scope="col">{t('admin.allocation.student')}</th>
                  <th scope="col" className="num">{t('admin.allocation.priority')}</th>
                  <th scope="col">{t('admin.allocation.outcome')}</th>
                  <th scope="col">{t('admin.allocation.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {lines(s).map((l) => (
                  <tr key={l.applicationId} className={`outcome-${l.outcome}`}>
                    <td className="num">{l.outcome === 'ineligible' ? '–' : l.rank}</td>
                    <th scope="row" aria-busy={names === null}>{names === null ? '…' : (names.get(l.studentId) ?? t('admin.allocation.unknownStudent'))}</th>
                    <td className="num">{l.priority === null ? '–' : count(l.priority)}</td>
                    <td><span className={`badge ${l.outcome === 'allocated' ? 'ok' : l.outcome === 'ineligible' ? 'bad' : ''}`}>{t(`admin.allocation.${l.outcome}`)}</span></td>
                    <td>{l.outcome === 'allocated' ? t('admin.allocation.gotDevice') : l.reasons.map((r) => r.message).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}

/** One school's applications in the run's own order (the API ranks them): allocated, then waiting, then the ineligible. */
function lines(s: Allocation['schools'][number]): Line[] {
  const ranked = [
    ...s.allocated.map((a) => ({ ...a, outcome: 'allocated' as const, reasons: [] as Reason[] })),
    ...s.waiting.map((w) => ({ ...w, outcome: 'waiting' as const })),
  ];
  return [
    ...ranked.map((l, i) => ({ rank: i + 1, applicationId: l.applicationId, studentId: l.studentId, priority: l.priority, outcome: l.outcome, reasons: l.reasons })),
    ...s.ineligible.map((x) => ({ rank: 0, applicationId: x.applicationId, studentId: x.studentId, priority: null, outcome: 'ineligible' as const, reasons: x.reasons })),
  ];
}

/**
 * The names of the students in a run, from each school's whole student list (every page: a
 * school can have more than a thousand students). Null until they are all in, so the table never
 * shows an id in place of a name.
 */
function useStudentNames(run: Allocation | null): Map<string, string> | null {
  const schoolIds = run?.schools.map((s) => s.schoolId) ?? [];
  const students = useQuery({
    queryKey: ['allocation-names', schoolIds],
    enabled: schoolIds.length > 0,
    queryFn: async () => {
      const names = new Map<string, string>();
      for (const schoolId of schoolIds) {
        let cursor: string | undefined;
        do {
          const page = ok(await api.GET('/api/v1/students', { params: { query: { schoolId, limit: 500, ...(cursor ? { cursor } : {}) } } }));
          for (const s of page.items) names.set(s.id, `${s.fullName} (${s.nisn})`);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return names;
    },
  });
  return students.data ?? null;
}
