import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import type { components } from '../api/schema';
import { useSchools } from '../components/school';
import { idempotencyKey } from '../office/format';
import { Field, values } from './form';

type User = components['schemas']['UserResponse'];
type Role = User['role'];

/** Accounts: create school operators and auditors (and program admins), deactivate, reset a password. */
export function UsersAdmin() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const schools = useSchools();
  const [role, setRole] = useState<Role>('school_admin');
  const [done, setDone] = useState('');
  const [resetting, setResetting] = useState<User | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: async () => ok(await api.GET('/api/v1/users', { params: { query: { limit: 500 } } })).items });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({
    mutationFn: async (body: components['schemas']['CreateUserRequest']) => ok(await api.POST('/api/v1/users', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: (u) => {
      setDone(t('admin.users.created', { email: u.email }));
      refresh();
    },
  });
  const update = useMutation({
    mutationFn: async ({ user, body }: { user: User; body: components['schemas']['UpdateUserRequest'] }) =>
      ok(await api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id }, header: { 'If-Match': `"${user.version}"` } }, body })),
    onSuccess: (u, { body }) => {
      setDone(body.password ? t('admin.users.passwordSet', { email: u.email }) : t('admin.users.updated', { email: u.email }));
      setResetting(null);
      refresh();
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setDone('');
    const v = values(e.currentTarget);
    create.mutate({ email: v.email ?? '', name: v.name ?? '', password: v.password ?? '', role, schoolId: role === 'school_admin' ? v.schoolId : undefined });
  };
  const reset = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (resetting) update.mutate({ user: resetting, body: { password: values(e.currentTarget).password ?? '' } });
  };
  const schoolName = (id: string | null) => (id ? (schools.data?.find((s) => s.id === id)?.name ?? '') : '');
  return (
    <div className="grid admin">
      <form className="card" onSubmit={submit} aria-labelledby="new-user">
        <h2 id="new-user">{t('admin.users.new')}</h2>
        <Field label={t('admin.users.role')} name="role" error={create.error}>
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {(['school_admin', 'auditor', 'program_admin'] as const).map((r) => (
              <option key={r} value={r}>{t(`roles.${r}`)}</option>
            ))}
          </select>
        </Field>
        {role === 'school_admin' && (
          <Field label={t('office.filters.school')} name="schoolId" error={create.error}>
            <select name="schoolId" required defaultValue="">
              <option value="" disabled>{t('common.pickSchool')}</option>
              {schools.data?.filter((s) => s.active).map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
        )}
        <Field label={t('admin.users.name')} name="name" error={create.error}>
          <input name="name" required maxLength={200} autoComplete="off" />
        </Field>
        <Field label={t('auth.email')} name="email" error={create.error}>
          <input name="email" type="email" required maxLength={254} autoComplete="off" />
        </Field>
        <Field label={t('admin.users.password')} name="password" error={create.error} hint={t('admin.users.passwordHint')}>
          <input name="password" type="password" required minLength={12} maxLength={200} autoComplete="new-password" />
        </Field>
        {create.isError && <p className="error" role="alert">{problemMessage(t, create.error)}</p>}
        {done && <p className="notice" role="status">{done}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('admin.users.create')}</button>
      </form>
      <section className="card wide-card" aria-labelledby="user-list">
        <h2 id="user-list">{t('admin.users.list')}</h2>
        {update.isError && <p className="error" role="alert">{problemMessage(t, update.error)}</p>}
        {resetting && (
          <form onSubmit={reset} className="inline-form" aria-label={t('admin.users.resetFor', { email: resetting.email })}>
            <Field label={t('admin.users.newPassword', { email: resetting.email })} name="password" error={update.error}>
              <input name="password" type="password" required minLength={12} maxLength={200} autoComplete="new-password" />
            </Field>
            <button type="submit" className="primary" disabled={update.isPending}>{t('admin.users.setPassword')}</button>{' '}
            <button type="button" onClick={() => setResetting(null)}>{t('common.cancel')}</button>
          </form>
        )}
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('auth.email')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('office.schoolCol')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.name}</th>
                  <td>{u.email}</td>
                  <td>{t(`roles.${u.role}`)}</td>
                  <td>{schoolName(u.schoolId)}</td>
                  <td><span className={`badge ${u.active ? 'ok' : 'bad'}`}>{u.active ? t('admin.active') : t('admin.inactive')}</span></td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => update.mutate({ user: u, body: { active: !u.active } })} aria-label={t(u.active ? 'admin.users.deactivateNamed' : 'admin.users.activateNamed', { email: u.email })}>
                      {u.active ? t('admin.deactivate') : t('admin.activate')}
                    </button>
                    <button type="button" className="link" onClick={() => setResetting(u)} aria-label={t('admin.users.resetFor', { email: u.email })}>
                      {t('admin.users.reset')}
                    </button>
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
