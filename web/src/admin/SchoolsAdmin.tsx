import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import type { components } from '../api/schema';
import { useSchools } from '../components/school';
import { idempotencyKey } from '../office/format';
import { Field, values } from './form';

type School = components['schemas']['SchoolResponse'];
const LEVELS = ['SD', 'SMP', 'SMA', 'SMK'] as const;

/** Schools: register one, take one out of the program or back in. */
export function SchoolsAdmin() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const schools = useSchools();
  const [done, setDone] = useState('');
  const create = useMutation({
    mutationFn: async (body: components['schemas']['CreateSchoolRequest']) =>
      ok(await api.POST('/api/v1/schools', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: (s) => {
      setDone(t('admin.schools.created', { name: s.name }));
      void queries.invalidateQueries({ queryKey: ['schools'] });
    },
  });
  const toggle = useMutation({
    mutationFn: async (s: School) =>
      ok(await api.PATCH('/api/v1/schools/{id}', { params: { path: { id: s.id }, header: { 'If-Match': `"${s.version}"` } }, body: { active: !s.active } })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['schools'] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setDone('');
    const v = values(e.currentTarget);
    create.mutate({ npsn: v.npsn ?? '', name: v.name ?? '', level: (v.level ?? 'SMP') as School['level'], district: v.district ?? '', address: v.address });
  };
  return (
    <div className="grid admin">
      <form className="card" onSubmit={submit} aria-labelledby="new-school">
        <h2 id="new-school">{t('admin.schools.new')}</h2>
        <Field label={t('admin.schools.npsn')} name="npsn" error={create.error}>
          <input name="npsn" required pattern="\d{8}" inputMode="numeric" maxLength={8} />
        </Field>
        <Field label={t('admin.schools.name')} name="name" error={create.error}>
          <input name="name" required maxLength={200} />
        </Field>
        <Field label={t('admin.schools.level')} name="level" error={create.error}>
          <select name="level" defaultValue="SMP">
            {LEVELS.map((l) => <option key={l}>{l}</option>)}
          </select>
        </Field>
        <Field label={t('office.district')} name="district" error={create.error}>
          <input name="district" required maxLength={100} />
        </Field>
        <Field label={t('admin.schools.address')} name="address" error={create.error}>
          <input name="address" maxLength={500} />
        </Field>
        {create.isError && <p className="error" role="alert">{problemMessage(t, create.error)}</p>}
        {done && <p className="notice" role="status">{done}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('admin.schools.create')}</button>
      </form>
      <section className="card wide-card" aria-labelledby="school-list">
        <h2 id="school-list">{t('admin.schools.list')}</h2>
        {toggle.isError && <p className="error" role="alert">{problemMessage(t, toggle.error)}</p>}
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.schools.npsn')}</th>
                <th scope="col">{t('admin.schools.name')}</th>
                <th scope="col">{t('admin.schools.level')}</th>
                <th scope="col">{t('office.district')}</th>
                <th scope="col">{t('admin.status')}</th>
              </tr>
            </thead>
            <tbody>
              {schools.data?.map((s) => (
                <tr key={s.id}>
                  <td>{s.npsn}</td>
                  <th scope="row">{s.name}</th>
                  <td>{s.level}</td>
                  <td>{s.district}</td>
                  <td>
                    <span className={`badge ${s.active ? 'ok' : 'bad'}`}>{s.active ? t('admin.active') : t('admin.inactive')}</span>{' '}
                    <button type="button" className="link" onClick={() => toggle.mutate(s)} aria-label={t(s.active ? 'admin.schools.deactivateNamed' : 'admin.schools.activateNamed', { name: s.name })}>
                      {s.active ? t('admin.deactivate') : t('admin.activate')}
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
