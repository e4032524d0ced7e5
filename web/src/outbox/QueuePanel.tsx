import { useTranslation } from 'react-i18next';
import { useOutbox } from './OutboxProvider';
import { printPdf } from '../components/print';

/** The actions waiting for the network, and those the replay has sent (with their PDF). */
export function QueuePanel({ kind }: { kind: 'issue' | 'return' }) {
  const { t } = useTranslation();
  const { items, done, operatorId, dismiss, replay } = useOutbox();
  const waiting = items.filter((i) => i.kind === kind);
  const sent = done.filter((d) => d.kind === kind);
  if (!waiting.length && !sent.length) return null;
  return (
    <section className="card queue" aria-labelledby={`queue-${kind}`}>
      <h2 id={`queue-${kind}`}>{t('outbox.title')}</h2>
      <ul>
        {waiting.map((item) => (
          <li key={item.key} className={item.error ? 'failed' : 'waiting'}>
            <span className={`badge ${item.error ? 'bad' : 'queued'}`}>
              {t(item.error ? 'outbox.refused' : item.operatorId !== operatorId ? 'outbox.otherOperator' : 'outbox.queued')}
            </span>{' '}
            {item.label}
            {item.error && (
              <>
                <span className="field-error"> {item.error}</span>{' '}
                <button type="button" className="link" onClick={() => void dismiss(item.key)}>{t('common.close')}</button>
              </>
            )}
          </li>
        ))}
        {sent.map((d) => (
          <li key={d.key}>
            <span className="badge ok">{t('outbox.sent')}</span> {d.label}{' '}
            <button type="button" className="link" onClick={() => void printPdf(kind === 'issue' ? '/api/v1/loans/{id}/agreement.pdf' : '/api/v1/loans/{id}/return-receipt.pdf', d.loanId)}>
              {t(kind === 'issue' ? 'desk.printAgreement' : 'returns.printReceipt')}
            </button>
          </li>
        ))}
      </ul>
      {waiting.some((i) => !i.error && i.operatorId === operatorId) && (
        <button type="button" onClick={() => void replay()}>{t('outbox.sendNow')}</button>
      )}
    </section>
  );
}
