import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import type { components } from '../api/schema';
import { useSchools } from '../components/school';
import { count, idempotencyKey, rupiah } from '../office/format';
import { CsvImport } from './CsvImport';
import { Field, values } from './form';

const csvBody = { bodySerializer: (b: unknown) => b as string, headers: { 'Content-Type': 'text/csv' } };

/** Stock: device models and procurement batches, the device CSV import, and the Dapodik student import. */
export function ImportsAdmin() {
  const { t } = useTranslation();
  const schools = useSchools();
  const [schoolId, setSchoolId] = useState('');
  const devices = (csv: string, dryRun: boolean) =>
    api
      .POST('/api/v1/devices/import', {
        params: { query: { dryRun: dryRun ? 'true' : undefined }, header: { 'Idempotency-Key': dryRun ? undefined : idempotencyKey() } },
        body: csv,
        ...csvBody,
      })
      .then(ok);
  const students = (csv: string, dryRun: boolean) =>
    api
      .POST('/api/v1/students/import', {
        params: { query: { schoolId, dryRun: dryRun ? 'true' : undefined }, header: { 'Idempotency-Key': dryRun ? undefined : idempotencyKey() } },
        body: csv,
        ...csvBody,
      })
      .then(ok);
  return (
    <div className="admin">
      <Procurement />
      <CsvImport
        id="device-import"
        title={t('admin.import.devices')}
        help={<p>{t('admin.import.devicesHelp')}</p>}
        run={devices}
      />
      <CsvImport
        id="student-import"
        title={t('admin.import.students')}
        help={<p>{t('admin.import.studentsHelp')}</p>}
        disabled={!schoolId}
        extra={
          <label>
            {t('office.filters.school')}
            <select value={schoolId} onChange={(e) => setSchoolId(e.target.value)} required>
              <option value="">{t('common.pickSchool')}</option>
              {schools.data?.map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          </label>
        }
        run={students}
      />
    </div>
  );
}

/** Device models and procurement batches: what a device CSV's `model` and `contract_ref` name. */
function Procurement() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const models = useQuery({ queryKey: ['device-models'], queryFn: async () => ok(await api.GET('/api/v1/device-models', { params: { query: { limit: 500 } } })).items });
  const batches = useQuery({ queryKey: ['batches'], queryFn: async () => ok(await api.GET('/api/v1/procurement-batches', { params: { query: { limit: 500 } } })).items });
  const newModel = useMutation({
    mutationFn: async (body: components['schemas']['CreateDeviceModelRequest']) => ok(await api.POST('/api/v1/device-models', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['device-models'] }),
  });
  const newBatch = useMutation({
    mutationFn: async (body: components['schemas']['CreateProcurementBatchRequest']) =>
      ok(await api.POST('/api/v1/procurement-batches', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['batches'] }),
  });
  const model = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = values(e.currentTarget);
    newModel.mutate({ manufacturer: v.manufacturer ?? '', model: v.model ?? '', category: (v.category ?? 'laptop') as 'laptop' });
  };
  const batch = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = values(e.currentTarget);
    newBatch.mutate({ contractRef: v.contractRef ?? '', fundingSource: v.fundingSource ?? '', receivedOn: v.receivedOn ?? '', unitCost: Number(v.unitCost ?? 0), quantity: Number(v.quantity ?? 0), modelId: v.modelId ?? '' });
  };
  const modelName = (id: string) => models.data?.find((m) => m.id === id);
  return (
    <section className="card" aria-labelledby="procurement">
      <h2 id="procurement">{t('admin.procurement.title')}</h2>
      <div className="grid">
        <form onSubmit={model} aria-labelledby="new-model">
          <h3 id="new-model">{t('admin.procurement.newModel')}</h3>
          <Field label={t('admin.procurement.manufacturer')} name="manufacturer" error={newModel.error}>
            <input name="manufacturer" required maxLength={100} />
          </Field>
          <Field label={t('admin.procurement.model')} name="model" error={newModel.error}>
            <input name="model" required maxLength={100} />
          </Field>
          <Field label={t('admin.procurement.category')} name="category" error={newModel.error}>
            <select name="category" defaultValue="laptop">
              {(['laptop', 'chromebook', 'tablet'] as const).map((c) => <option key={c} value={c}>{t(`admin.procurement.cat_${c}`)}</option>)}
            </select>
          </Field>
          {newModel.isError && <p className="error" role="alert">{problemMessage(t, newModel.error)}</p>}
          <button type="submit" disabled={newModel.isPending}>{t('admin.procurement.addModel')}</button>
        </form>
        <form onSubmit={batch} aria-labelledby="new-batch">
          <h3 id="new-batch">{t('admin.procurement.newBatch')}</h3>
          <Field label={t('admin.procurement.contractRef')} name="contractRef" error={newBatch.error}>
            <input name="contractRef" required maxLength={100} />
          </Field>
          <Field label={t('admin.procurement.modelOf')} name="modelId" error={newBatch.error}>
            <select name="modelId" required defaultValue="">
              <option value="" disabled>{t('admin.procurement.pickModel')}</option>
              {models.data?.map((m) => <option key={m.id} value={m.id}>{`${m.manufacturer} ${m.model}`}</option>)}
            </select>
          </Field>
          <Field label={t('admin.procurement.funding')} name="fundingSource" error={newBatch.error}>
            <input name="fundingSource" required maxLength={100} placeholder="APBD 2027" />
          </Field>
          <div className="row">
            <Field label={t('admin.procurement.receivedOn')} name="receivedOn" error={newBatch.error}>
              <input name="receivedOn" type="date" required />
            </Field>
            <Field label={t('admin.procurement.quantity')} name="quantity" error={newBatch.error}>
              <input name="quantity" type="number" min={1} required />
            </Field>
            <Field label={t('admin.procurement.unitCost')} name="unitCost" error={newBatch.error}>
              <input name="unitCost" type="number" min={0} required />
            </Field>
          </div>
          {newBatch.isError && <p className="error" role="alert">{problemMessage(t, newBatch.error)}</p>}
          <button type="submit" disabled={newBatch.isPending}>{t('admin.procurement.addBatch')}</button>
        </form>
      </div>
      <div className="table-wrap" tabIndex={0}>
        <table>
          <caption>{t('admin.procurement.batches')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.procurement.contractRef')}</th>
              <th scope="col">{t('admin.procurement.modelOf')}</th>
              <th scope="col" className="num">{t('admin.procurement.quantity')}</th>
              <th scope="col" className="num">{t('admin.procurement.unitCost')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.data?.map((b) => (
              <tr key={b.id}>
                <th scope="row">{b.contractRef}</th>
                <td>{modelName(b.modelId) ? `${modelName(b.modelId)!.manufacturer} ${modelName(b.modelId)!.model}` : ''}</td>
                <td className="num">{count(b.quantity)}</td>
                <td className="num">{rupiah(b.unitCost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
