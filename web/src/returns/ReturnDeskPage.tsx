import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { isNetworkDown } from '../api/problem';
import { fieldMessages, problemMessage } from '../api/messages';
import { ScanField } from '../components/ScanField';
import { printPdf, printUrl } from '../components/print';
import { useOutbox } from '../outbox/OutboxProvider';
import { QueuePanel } from '../outbox/QueuePanel';

type Device = components['schemas']['DeviceResponse'];
type Loan = components['schemas']['LoanResponse'];
type ReturnBody = components['schemas']['ReturnLoanRequest'];
const CONDITIONS = ['new', 'good', 'fair', 'poor', 'broken'] as const;
const NEXT = ['in_stock', 'in_repair', 'retired'] as const;
const rupiah = (n: number) => `Rp${n.toLocaleString('id-ID')}`;

/**
 * The return desk: scan the asset tag, see the active loan, record the condition and what came
 * back (the device's kit), tick damage from the program's price list, read the charges it will
 * make, confirm; the receipt opens for printing and the focus is back on the scan field.
 */
export default function ReturnDeskPage() {
  const { t } = useTranslation();
  const outbox = useOutbox();
  const scanRef = useRef<HTMLInputElement>(null);
  const [tag, setTag] = useState('');
  const [scanErrors, setScanErrors] = useState<string[]>([]);
  const [found, setFound] = useState<{ device: Device; loan: Loan } | null>(null);
  const [condition, setCondition] = useState<ReturnBody['condition']>('good');
  const [checklist, setChecklist] = useState<Record<string, boolean>>({});
  const [damage, setDamage] = useState<string[]>([]);
  const [nextStatus, setNextStatus] = useState<ReturnBody['nextStatus']>('in_stock');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<{ text: string; pdf?: string; queued?: boolean } | null>(null);
  const attempt = useRef<{ key: string; fingerprint: string } | null>(null);
  const [focusTick, setFocusTick] = useState(0);
  useEffect(() => scanRef.current?.focus(), [focusTick]);

  const loan = found?.loan;
  const student = useQuery({
    queryKey: ['student', loan?.studentId],
    enabled: !!loan,
    queryFn: async () => ok(await api.GET('/api/v1/students/{id}', { params: { path: { id: loan!.studentId } } })),
  });
  const prices = useQuery({
    queryKey: ['price-list', loan?.programId],
    enabled: !!loan,
    queryFn: async () => ok(await api.GET('/api/v1/programs/{programId}/price-list', { params: { path: { programId: loan!.programId } } })).items,
  });

  function reset() {
    setFound(null);
    setTag('');
    setDamage([]);
    setNotes('');
    setError(null);
    attempt.current = null;
    setFocusTick((n) => n + 1);
  }

  async function scan(code: string) {
    setScanErrors([]);
    setLast(null);
    setFound(null);
    if (!code) return;
    try {
      const device = ok(await api.GET('/api/v1/devices/lookup', { params: { query: { code } } }));
      const answer = ok(await api.GET('/api/v1/loans', { params: { query: { deviceId: device.id, status: 'active', limit: 1 } } }));
      const loans = typeof answer === 'string' ? [] : answer.items; // (the CSV form is never asked for here)
      if (!loans.length) {
        setScanErrors([t('returns.noActiveLoan', { tag: device.assetTag, status: t(`device.status.${device.status}`) })]);
        return;
      }
      setFound({ device, loan: loans[0] });
      setTag(device.assetTag);
      setCondition(device.condition);
      setChecklist(Object.fromEntries(Object.entries(device.accessories).filter(([, had]) => had).map(([item]) => [item, true])));
      setNextStatus('in_stock');
    } catch (e) {
      setScanErrors(fieldMessages(t, e, 'code').length ? fieldMessages(t, e, 'code') : [problemMessage(t, e)]);
    }
  }

  // The preview lists what the price list says for what is ticked; the API makes the charges.
  const priceOf = (code: string) => prices.data?.find((p) => p.code === code);
  const preview = [
    ...Object.entries(checklist).filter(([, back]) => !back).map(([item]) => priceOf(`missing_${item}`)),
    ...damage.map(priceOf),
  ].filter((p) => !!p);
  const damageItems = (prices.data ?? []).filter((p) => !p.code.startsWith('missing_') && p.code !== 'replacement');

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!found || busy) return;
    const body: ReturnBody = { condition, checklist, nextStatus, ...(damage.length ? { damageItems: damage } : {}), ...(notes.trim() ? { damageNotes: notes.trim() } : {}) };
    const fingerprint = JSON.stringify([found.loan.id, body]);
    if (attempt.current?.fingerprint !== fingerprint) attempt.current = { key: crypto.randomUUID(), fingerprint };
    const { key } = attempt.current;
    const label = `${found.device.assetTag} · ${student.data?.fullName ?? found.loan.agreementNumber}`;
    setBusy(true);
    setError(null);
    try {
      const answer = ok(await api.POST('/api/v1/loans/{id}/return', { params: { path: { id: found.loan.id }, header: { 'Idempotency-Key': key } }, body }));
      const total = answer.charges.reduce((n, c) => n + c.amount, 0);
      const text = total ? t('returns.doneCharged', { name: label, total: rupiah(total) }) : t('returns.done', { name: label });
      reset();
      setLast({ text });
      const pdf = await printPdf('/api/v1/loans/{id}/return-receipt.pdf', answer.loan.id).catch(() => null);
      if (pdf) setLast({ text, pdf });
    } catch (e) {
      if (isNetworkDown(e)) {
        await outbox.add({ key, kind: 'return', label, queuedAt: new Date().toISOString(), loanId: found.loan.id, body });
        reset();
        setLast({ text: t('returns.queued', { name: label }), queued: true });
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page returns">
      <h1>{t('returns.title')}</h1>
      {last && (
        <p className={last.queued ? 'notice queued' : 'notice'} role="status">
          {last.text}{' '}
          {last.pdf && (
            <>
              <button type="button" className="link" onClick={() => printUrl(last.pdf!)}>{t('returns.printReceipt')}</button>{' '}
              <a href={last.pdf} target="_blank" rel="noopener">{t('returns.openReceipt')}</a>
            </>
          )}
        </p>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="return-scan">
          <h2 id="return-scan">{t('returns.scanStep')}</h2>
          <ScanField ref={scanRef} id="return-device" label={t('returns.scan')} hint={t('returns.scanHint')} value={tag} onChange={setTag} onScan={(v) => void scan(v)} errors={scanErrors} autoFocus />
          {found && (
            <dl className="facts">
              <dt>{t('returns.agreement')}</dt>
              <dd>{found.loan.agreementNumber}</dd>
              <dt>{t('returns.student')}</dt>
              <dd>{student.data ? `${student.data.fullName} (${student.data.nisn})` : '…'}</dd>
              <dt>{t('returns.issuedAt')}</dt>
              <dd>{found.loan.issuedAt.slice(0, 10)}</dd>
              <dt>{t('returns.dueDate')}</dt>
              <dd>{found.loan.dueDate}{found.loan.overdue ? ` · ${t('returns.overdue')}` : ''}</dd>
              <dt>{t('returns.guardian')}</dt>
              <dd>{found.loan.guardianConsent.name}</dd>
            </dl>
          )}
        </section>
        {found && (
          <form className="card" aria-labelledby="return-check" onSubmit={confirm} noValidate>
            <h2 id="return-check">{t('returns.checkStep')}</h2>
            <div className="row">
              <label>
                {t('returns.condition')}
                <select value={condition} onChange={(e) => setCondition(e.target.value as ReturnBody['condition'])}>
                  {CONDITIONS.map((c) => <option key={c} value={c}>{t(`device.condition.${c}`)}</option>)}
                </select>
              </label>
              <label>
                {t('returns.nextStatus')}
                <select value={nextStatus} onChange={(e) => setNextStatus(e.target.value as ReturnBody['nextStatus'])}>
                  {NEXT.map((s) => <option key={s} value={s}>{t(`returns.next.${s}`)}</option>)}
                </select>
              </label>
            </div>
            <fieldset>
              <legend>{t('returns.checklist')}</legend>
              {Object.keys(checklist).length === 0 && <p className="hint">{t('returns.noKit')}</p>}
              {Object.entries(checklist).map(([item, back]) => (
                <label key={item} className="inline">
                  <input type="checkbox" checked={back} onChange={(e) => setChecklist({ ...checklist, [item]: e.target.checked })} />
                  {t(`accessory.${item}`, { defaultValue: item })}
                </label>
              ))}
            </fieldset>
            {damageItems.length > 0 && (
              <fieldset>
                <legend>{t('returns.damage')}</legend>
                {damageItems.map((p) => (
                  <label key={p.code} className="inline">
                    <input type="checkbox" checked={damage.includes(p.code)} onChange={(e) => setDamage(e.target.checked ? [...damage, p.code] : damage.filter((d) => d !== p.code))} />
                    {p.description} ({rupiah(p.amount)})
                  </label>
                ))}
              </fieldset>
            )}
            <label>
              {t('returns.notes')}
              <textarea rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} aria-invalid={fieldMessages(t, error, 'damageNotes').length > 0} />
            </label>
            {fieldMessages(t, error, 'damageNotes').map((m) => <p key={m} className="field-error">{m}</p>)}
            <section aria-labelledby="charges-preview" className="preview">
              <h3 id="charges-preview">{t('returns.preview')}</h3>
              {preview.length ? (
                <table>
                  <tbody>
                    {preview.map((p) => (
                      <tr key={p.code}><td>{p.description}</td><td className="num">{rupiah(p.amount)}</td></tr>
                    ))}
                    <tr><th>{t('returns.total')}</th><th className="num">{rupiah(preview.reduce((n, p) => n + p.amount, 0))}</th></tr>
                  </tbody>
                </table>
              ) : (
                <p>{t('returns.noCharges')}</p>
              )}
            </section>
            {error != null && <p className="error" role="alert">{problemMessage(t, error)}</p>}
            <button type="submit" className="primary big" disabled={busy}>{busy ? t('returns.confirming') : t('returns.confirm')}</button>
          </form>
        )}
      </div>
      <QueuePanel kind="return" />
    </main>
  );
}
