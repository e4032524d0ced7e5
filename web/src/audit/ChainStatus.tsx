import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import { count, dateTime } from '../office/format';

/**
 * The audit chain as the service verifies it now: the last sealed block and its hash, and either
 * "intact" or where it first breaks. Blocks are numbered from 1 without gaps (the verification
 * checks it), so an intact chain's last block number is the number of blocks checked.
 */
export function ChainStatus() {
  const { t } = useTranslation();
  const check = useQuery({ queryKey: ['audit', 'verify'], queryFn: async () => ok(await api.GET('/api/v1/audit-events/verify')), staleTime: 0 });
  const v = check.data;
  return (
    <section className="card" aria-labelledby="chain">
      <h2 id="chain">{t('audit.chain.title')}</h2>
      {check.isError && <p className="error" role="alert">{problemMessage(t, check.error)}</p>}
      {!v ? (
        <p role="status">{t('audit.chain.checking')}</p>
      ) : (
        <>
          <p className={v.valid ? 'verdict ok' : 'verdict bad'} role="status">
            {v.valid
              ? t('audit.chain.intact')
              : t(`audit.chain.broken_${v.firstBrokenLink?.kind ?? 'block'}`, { at: v.firstBrokenLink?.at, reason: v.firstBrokenLink?.reason })}
          </p>
          <dl className="facts">
            <dt>{t('audit.chain.lastBlock')}</dt>
            <dd>{v.blocksChecked ? `#${v.blocksChecked}` : t('audit.chain.noBlock')}</dd>
            <dt>{t('audit.chain.headHash')}</dt>
            <dd className="hash">{v.headHash ?? '–'}</dd>
            <dt>{t('audit.chain.events')}</dt>
            <dd>{count(v.eventsChecked)}</dd>
            <dt>{t('audit.chain.unsealed')}</dt>
            <dd>{count(v.unsealedEvents)}</dd>
            <dt>{t('audit.chain.checkedAt')}</dt>
            <dd>{dateTime(v.checkedAt)}</dd>
          </dl>
          <p className="muted">{t('audit.chain.hint')}</p>
        </>
      )}
      <button type="button" onClick={() => void check.refetch()} disabled={check.isFetching}>
        {check.isFetching ? t('audit.chain.checking') : t('audit.chain.again')}
      </button>
    </section>
  );
}
