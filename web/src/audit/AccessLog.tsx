import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import { ApiProblem } from '../api/problem';
import { useMe } from '../auth/me';
import { dateTime } from '../office/format';

type Ask = { studentId?: string; actorId?: string; label: string };

/**
 * The student-access log answering two questions: who read this student's data (by NISN), and
 * what did this user read. People are named from the users list (program admins) or from the
 * `user.created` audit events (auditors, who may not list users).
 */
export function AccessLog() {
  const { t } = useTranslation();
  const people = usePeople();
  const [ask, setAsk] = useState<Ask | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const log = useInfiniteQuery({
    queryKey: ['access-log', ask],
    enabled: !!ask,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      ok(await api.GET('/api/v1/student-access-log', { params: { query: { studentId: ask?.studentId, actorId: ask?.actorId, limit: 100, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const byStudent = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setLookupError(null);
    const nisn = String(new FormData(e.currentTarget).get('nisn') ?? '').trim();
    try {
      const found = ok(await api.GET('/api/v1/students', { params: { query: { q: nisn, limit: 5 } } })).items.find((s) => s.nisn === nisn);
      if (!found) throw new ApiProblem(404, { code: 'student_not_found', detail: t('audit.access.noStudent', { nisn }) });
      setAsk({ studentId: found.id, label: t('audit.access.aboutStudent', { name: found.fullName, nisn }) });
    } catch (error) {
      setLookupError(error);
    }
  };
  const byActor = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const actorId = String(new FormData(e.currentTarget).get('actorId') ?? '');
    if (actorId) setAsk({ actorId, label: t('audit.access.byUser', { name: people.name(actorId) }) });
  };
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card" aria-labelledby="access">
      <h2 id="access">{t('audit.access.title')}</h2>
      <div className="grid">
        <form onSubmit={(e) => void byStudent(e)} aria-label={t('audit.access.whoRead')}>
          <h3>{t('audit.access.whoRead')}</h3>
          <label>
            {t('audit.access.nisn')}
            <input name="nisn" inputMode="numeric" pattern="\d{10}" required aria-invalid={lookupError ? true : undefined} />
          </label>
          {lookupError !== null && <p className="field-error" role="alert">{problemMessage(t, lookupError)}</p>}
          <button type="submit" className="primary">{t('common.search')}</button>
        </form>
        <form onSubmit={byActor} aria-label={t('audit.access.whatRead')}>
          <h3>{t('audit.access.whatRead')}</h3>
          <label>
            {t('audit.access.user')}
            <select name="actorId" defaultValue="" required>
              <option value="" disabled>{t('audit.access.pickUser')}</option>
              {people.list.map((p) => (
                <option key={p.id} value={p.id}>{p.label}</option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary">{t('common.search')}</button>
        </form>
      </div>
      {ask && <h3 aria-live="polite">{ask.label}</h3>}
      {log.isError && <p className="error" role="alert">{problemMessage(t, log.error)}</p>}
      {ask && (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <caption className="visually-hidden">{ask.label}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.events.when')}</th>
                <th scope="col">{t('audit.events.who')}</th>
                <th scope="col">{t('audit.access.student')}</th>
                <th scope="col">{t('audit.access.operation')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && !log.isFetching && (
                <tr>
                  <td colSpan={4}>{t('common.none')}</td>
                </tr>
              )}
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{dateTime(r.occurredAt)}</td>
                  <td>
                    {r.actorId ? (
                      <button type="button" className="link" onClick={() => setAsk({ actorId: r.actorId!, label: t('audit.access.byUser', { name: people.name(r.actorId!) }) })}>
                        {people.name(r.actorId)}
                      </button>
                    ) : (
                      t(`audit.actor.${r.actorType}`)
                    )}
                    {r.actorRole && <span className="muted"> · {t(`roles.${r.actorRole}`, { defaultValue: r.actorRole })}</span>}
                  </td>
                  <td className="id">{r.studentId}</td>
                  <td><code>{r.operation}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && (
        <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}

/**
 * The accounts the log can name: every user (program admins may list them), or, for auditors,
 * those the `user.created` audit events name plus everyone who appears in the latest page of the
 * log itself (named by role when no event names them).
 */
function usePeople() {
  const { t } = useTranslation();
  const me = useMe();
  const admin = me.data?.role === 'program_admin';
  const users = useQuery({
    queryKey: ['people', admin],
    queryFn: async () => {
      if (admin) return ok(await api.GET('/api/v1/users', { params: { query: { limit: 500 } } })).items.map((u) => ({ id: u.id, name: u.name, email: u.email }));
      const [events, recent] = await Promise.all([
        api.GET('/api/v1/audit-events', { params: { query: { action: 'user.created', limit: 500 } } }).then(ok),
        api.GET('/api/v1/student-access-log', { params: { query: { limit: 500 } } }).then(ok),
      ]);
      const named = events.items.map((e) => ({ id: e.entityId, name: String(e.after?.name ?? e.entityId), email: String(e.after?.email ?? '') }));
      const seen = new Set(named.map((p) => p.id));
      for (const r of recent.items) {
        if (!r.actorId || seen.has(r.actorId)) continue;
        seen.add(r.actorId);
        named.push({ id: r.actorId, name: `${r.actorRole ? t(`roles.${r.actorRole}`, { defaultValue: r.actorRole }) : t(`audit.actor.${r.actorType}`)} ${r.actorId.slice(0, 8)}`, email: '' });
      }
      return named;
    },
  });
  const list = (users.data ?? []).map((u) => ({ id: u.id, label: u.email ? `${u.name} <${u.email}>` : u.name })).sort((a, b) => a.label.localeCompare(b.label));
  const name = (id: string) => users.data?.find((u) => u.id === id)?.name ?? id;
  return { list, name };
}
