import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { fieldMessages, problemMessage } from '../api/messages';
import { useSchools } from '../components/school';
import { dateTime } from '../office/format';

type Query = { entityType?: string; entityId?: string; schoolId?: string; action?: string; from?: string; to?: string };

/** A local date-time from the form as ISO-8601 (the API's `from`/`to`). */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const show = (v: unknown) => (v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Audit events by entity, school, action and time, newest first, a page at a time. */
export function EventSearch() {
  const { t } = useTranslation();
  const schools = useSchools();
  const [query, setQuery] = useState<Query>({});
  const events = useInfiniteQuery({
    queryKey: ['audit', 'events', query],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => ok(await api.GET('/api/v1/audit-events', { params: { query: { ...query, limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    setQuery({ entityType: text('entityType'), entityId: text('entityId'), schoolId: text('schoolId'), action: text('action'), from: iso(String(f.get('from'))), to: iso(String(f.get('to'))) });
  };
  const school = (id: string | null) => (id ? (schools.data?.find((s) => s.id === id)?.name ?? id) : t('audit.events.city'));
  const rows = events.data?.pages.flatMap((p) => p.items) ?? [];
  const err = (field: string) => fieldMessages(t, events.error, field);
  return (
    <section className="card" aria-labelledby="events">
      <h2 id="events">{t('audit.events.title')}</h2>
      <form role="search" aria-label={t('audit.events.title')} onSubmit={submit} className="filters">
        <label>
          {t('audit.events.entityType')}
          <input name="entityType" placeholder="loan" />
        </label>
        <label>
          {t('audit.events.entityId')}
          <input name="entityId" />
        </label>
        <label>
          {t('office.filters.school')}
          <select name="schoolId" defaultValue="">
            <option value="">{t('office.filters.allSchools')}</option>
            {schools.data?.map((s) => (
              <option key={s.id} value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.events.action')}
          <input name="action" placeholder="loan.issued" aria-invalid={err('action').length > 0 || undefined} />
          {err('action').map((m) => <span key={m} className="field-error">{m}</span>)}
        </label>
        <label>
          {t('office.filters.from')}
          <input name="from" type="datetime-local" />
        </label>
        <label>
          {t('office.filters.to')}
          <input name="to" type="datetime-local" />
        </label>
        <button type="submit" className="primary">{t('common.search')}</button>
      </form>
      {events.isError && <p className="error" role="alert">{problemMessage(t, events.error)}</p>}
      <div className="table-wrap" tabIndex={0}>
        <table>
          <caption className="visually-hidden">{t('audit.events.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.events.when')}</th>
              <th scope="col">{t('audit.events.action')}</th>
              <th scope="col">{t('audit.events.entity')}</th>
              <th scope="col">{t('office.schoolCol')}</th>
              <th scope="col">{t('audit.events.who')}</th>
              <th scope="col">{t('audit.events.change')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && !events.isFetching && (
              <tr>
                <td colSpan={6}>{t('common.none')}</td>
              </tr>
            )}
            {rows.map((e) => (
              <tr key={e.id}>
                <td>{dateTime(e.occurredAt)}</td>
                <td><code>{e.action}</code></td>
                <td>{e.entityType} <span className="id">{e.entityId}</span></td>
                <td>{school(e.schoolId)}</td>
                <td>{e.actorRole ? t(`roles.${e.actorRole}`, { defaultValue: e.actorRole }) : t(`audit.actor.${e.actorType}`)}</td>
                <td>
                  <ul className="changes">
                    {Object.keys({ ...(e.before ?? {}), ...(e.after ?? {}) }).slice(0, 6).map((k) => (
                      <li key={k}>
                        {k}: {e.before && k in e.before ? `${show(e.before[k])} → ` : ''}{show(e.after?.[k])}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {events.hasNextPage && (
        <button type="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
