import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import { useSchool } from '../components/school';
import { printUrl } from '../components/print';

/** Asset-tag label sheets (A4, 3x8 or 2x7) for the school's devices or one procurement batch. */
export default function LabelsPage() {
  const { t } = useTranslation();
  const { schoolId } = useSchool();
  const [layout, setLayout] = useState<'3x8' | '2x7'>('3x8');
  const [batchId, setBatchId] = useState('');
  const [after, setAfter] = useState<string | undefined>();
  const [result, setResult] = useState<{ url: string; next: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const batches = useQuery({
    queryKey: ['batches'],
    queryFn: async () => ok(await api.GET('/api/v1/procurement-batches', { params: { query: { limit: 500 } } })).items,
  });

  async function print(event: FormEvent | null, from?: string) {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const query = { layout, ...(batchId ? { batchId } : {}), ...(schoolId ? { schoolId } : {}), ...(from ? { after: from } : {}) };
      const { data, response } = await api.GET('/api/v1/devices/labels.pdf', { params: { query }, parseAs: 'blob' });
      const url = URL.createObjectURL(ok({ data: data as Blob | undefined }));
      setResult({ url, next: response.headers.get('x-labels-next-after') });
      setAfter(from);
      printUrl(url);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page labels">
      <h1>{t('labels.title')}</h1>
      <form className="card" onSubmit={(e) => void print(e)}>
        <p>{t('labels.intro')}</p>
        <fieldset>
          <legend>{t('labels.layout')}</legend>
          {(['3x8', '2x7'] as const).map((l) => (
            <label key={l} className="inline">
              <input type="radio" name="layout" value={l} checked={layout === l} onChange={() => setLayout(l)} />
              {t(`labels.layouts.${l}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('labels.batch')}
          <select value={batchId} onChange={(e) => setBatchId(e.target.value)}>
            <option value="">{t('labels.allOfSchool')}</option>
            {batches.data?.map((b) => (
              <option key={b.id} value={b.id}>{b.contractRef}</option>
            ))}
          </select>
        </label>
        {error != null && <p className="error" role="alert">{problemMessage(t, error)}</p>}
        <button type="submit" className="primary" disabled={busy || (!schoolId && !batchId)}>{t('labels.print')}</button>
        {result && (
          <p className="notice" role="status">
            {t(after ? 'labels.readyMore' : 'labels.ready')} <a href={result.url} target="_blank" rel="noopener">{t('labels.open')}</a>
            {result.next && (
              <>
                {' '}
                <button type="button" onClick={() => void print(null, result.next!)}>{t('labels.nextSheets', { after: result.next })}</button>
              </>
            )}
          </p>
        )}
      </form>
    </main>
  );
}
