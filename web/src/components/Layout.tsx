import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import type { Role } from '../auth/me';
import { session } from '../auth/session';
import { PAGES } from '../nav';
import { LanguageSwitch } from './LanguageSwitch';
import { SchoolPicker, SchoolProvider, useSchool, useSchoolName } from './school';
import { OutboxBadge } from '../outbox/OutboxBadge';

/** Header with the pages the role may open, the school, the language and sign-out. */
export function Layout({ role, children }: { role: Role; children: ReactNode }) {
  return (
    <SchoolProvider>
      <Header role={role} />
      {children}
    </SchoolProvider>
  );
}

function Header({ role }: { role: Role }) {
  const { t } = useTranslation();
  const [location] = useLocation();
  const queries = useQueryClient();
  const { schoolId } = useSchool();
  const schoolName = useSchoolName(role === 'school_admin' ? schoolId : null);
  const signOut = () => {
    session.signOut();
    queries.clear();
  };
  return (
    <header className="top">
      <a className="skip" href="#main">{t('common.skip')}</a>
      <div className="top-row">
        <span className="brand">{t('app.short')}</span>
        {schoolName.data && <span className="school-name">{schoolName.data}</span>}
        <SchoolPicker />
        <span className="spacer" />
        <OutboxBadge />
        <span className="role">{t(`roles.${role}`)}</span>
        <LanguageSwitch />
        <button type="button" className="link" onClick={signOut}>{t('auth.signOut')}</button>
      </div>
      <nav aria-label={t('nav.label')}>
        <ul>
          {PAGES.filter((p) => p.roles.includes(role) && p.nav !== false).map((p) => {
            const section = '/' + p.path.split('/')[1];
            const current = location === p.path || location.startsWith(section + '/') || location === section;
            return (
              <li key={p.path}>
                <Link href={p.path} aria-current={current ? 'page' : undefined}>{t(p.label)}</Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </header>
  );
}
