import '../office/office.css';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { AllocationAdmin } from './AllocationAdmin';
import { ApiKeysAdmin } from './ApiKeysAdmin';
import { ImportsAdmin } from './ImportsAdmin';
import { ProgramsAdmin } from './ProgramsAdmin';
import { SchoolsAdmin } from './SchoolsAdmin';
import { UsersAdmin } from './UsersAdmin';

/** The order a new school year is set up in: schools, people, keys, stock, the program, the allocation. */
const TABS = { schools: SchoolsAdmin, users: UsersAdmin, keys: ApiKeysAdmin, stock: ImportsAdmin, programs: ProgramsAdmin, allocation: AllocationAdmin } as const;
type Tab = keyof typeof TABS;

/** Program administration (program administrators only). */
export default function AdminPage() {
  const { t } = useTranslation();
  const { tab } = useParams<{ tab?: string }>();
  const current: Tab = tab && tab in TABS ? (tab as Tab) : 'schools';
  const Body = TABS[current];
  return (
    <main id="main" className="page office">
      <h1>{t('admin.title')}</h1>
      <nav className="tabs" aria-label={t('admin.tabs')}>
        {(Object.keys(TABS) as Tab[]).map((x) => (
          <Link key={x} href={`/admin/${x}`} aria-current={x === current ? 'page' : undefined}>
            {t(`admin.tab.${x}`)}
          </Link>
        ))}
      </nav>
      <Body />
    </main>
  );
}
