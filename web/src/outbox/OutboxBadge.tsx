import { useTranslation } from 'react-i18next';
import { useOutbox } from './OutboxProvider';

/** In the header: how many actions wait for the network (visible on every page). */
export function OutboxBadge() {
  const { t } = useTranslation();
  const { items } = useOutbox();
  if (!items.length) return null;
  return (
    <span className="badge queued" role="status">
      {t('outbox.badge', { count: items.length })}
    </span>
  );
}
