import '../office/office.css';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { AccessLog } from './AccessLog';
import { ChainStatus } from './ChainStatus';
import { EventSearch } from './EventSearch';

const TABS = ['chain', 'events', 'access'] as const;

/** The audit log: the chain's state, event search, and who read which student's data. Read-only. */
export default function AuditPage() {
  const { t } = useTranslation();
  const { tab } = useParams<{ tab?: string }>();
  const current = TABS.find((x) => x === tab) ?? 'chain';
  return (
    <main id="main" className="page office">
      <h1>{t('audit.title')}</h1>
      <nav className="tabs" aria-label={t('audit.tabs')}>
        {TABS.map((x) => (
          <Link key={x} href={x === 'chain' ? '/audit' : `/audit/${x}`} aria-current={x === current ? 'page' : undefined}>
            {t(`audit.tab.${x}`)}
          </Link>
        ))}
      </nav>
      {current === 'chain' && <ChainStatus />}
      {current === 'events' && <EventSearch />}
      {current === 'access' && <AccessLog />}
    </main>
  );
}
