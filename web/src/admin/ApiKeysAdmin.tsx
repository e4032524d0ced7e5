import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import type { components } from '../api/schema';
import { useSchools } from '../components/school';
import { dateTime, idempotencyKey } from '../office/format';
import { Field, values } from './form';

type Role = components['schemas']['CreateApiKeyRequest']['role'];

/** API keys for other city systems: the secret is shown once, when it is made; a key can be revoked. */
export function ApiKeysAdmin() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const schools = useSchools();
  const [role, setRole] = useState<Role>('auditor');
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: async () => ok(await api.GET('/api/v1/api-keys', { params: { query: { limit: 500 } } })).items });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: async (body: components['schemas']['CreateApiKeyRequest']) => ok(await api.POST('/api/v1/api-keys', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: (k) => {
      setSecret(k.key ? { name: k.name, key: k.key } : null);
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => ok(await api.POST('/api/v1/api-keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSecret(null);
    const v = values(e.currentTarget);
    create.mutate({ name: v.name ?? '', role, schoolId: role === 'school_admin' ? v.schoolId : undefined });
  };
  return (
    <div className="grid admin">
      <form className="card" onSubmit={submit} aria-labelledby="new-key">
        <h2 id="new-key">{t('admin.keys.new')}</h2>
        <Field label={t('admin.keys.name')} name="name" error={create.error}>
          <input name="name" required maxLength={200} />
        </Field>
        <Field label={t('admin.users.role')} name="role" error={create.error}>
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {(['auditor', 'school_admin', 'program_admin'] as const).map((r) => (
              <option key={r} value={r}>{t(`roles.${r}`)}</option>
            ))}
          </select>
        </Field>
        {role === 'school_admin' && (
          <Field label={t('office.filters.school')} name="schoolId" error={create.error}>
            <select name="schoolId" required defaultValue="">
              <option value="" disabled>{t('common.pickSchool')}</option>
              {schools.data?.map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
        )}
        {create.isError && <p className="error" role="alert">{problemMessage(t, create.error)}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('admin.keys.create')}</button>
        {secret && (
          <div className="secret" role="status">
            <p><strong>{t('admin.keys.shownOnce', { name: secret.name })}</strong></p>
            <label>
              {t('admin.keys.secret')}
              <input readOnly value={secret.key} onFocus={(e) => e.currentTarget.select()} className="scan" />
            </label>
            <button type="button" onClick={() => setSecret(null)}>{t('admin.keys.stored')}</button>
          </div>
        )}
      </form>
      <section className="card wide-card" aria-labelledby="key-list">
        <h2 id="key-list">{t('admin.keys.list')}</h2>
        {revoke.isError && <p className="error" role="alert">{problemMessage(t, revoke.error)}</p>}
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.keys.name')}</th>
                <th scope="col">{t('admin.keys.prefix')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.keys.lastUsed')}</th>
                <th scope="col">{t('admin.status')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.data?.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td><code>{k.prefix}</code></td>
                  <td>{t(`roles.${k.role}`)}</td>
                  <td>{k.lastUsedAt ? dateTime(k.lastUsedAt) : '–'}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="badge bad">{t('admin.keys.revokedAt', { at: dateTime(k.revokedAt) })}</span>
                    ) : (
                      <button
                        type="button"
                        className="link"
                        aria-label={t('admin.keys.revokeNamed', { name: k.name })}
                        onClick={() => window.confirm(t('admin.keys.confirm', { name: k.name })) && revoke.mutate(k.id)}
                      >
                        {t('admin.keys.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
