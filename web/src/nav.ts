import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role } from './auth/me';

/**
 * Every page of the console: its path, its label key in the i18n catalogues, who sees it in
 * the navigation (and may open it), and its component, loaded when first opened so the first
 * screen stays small. Adding a page is one entry here (docs/console.md, "Adding a page").
 */
export type Page = {
  path: string;
  /** wouter pattern when the page takes parameters, else `path`. */
  pattern?: string;
  label: string;
  roles: Role[];
  component: LazyExoticComponent<ComponentType>;
  /** Listed in the navigation (false for pages reached from another page). */
  nav?: boolean;
  /** The roles that land here after signing in (else the first page they may open). */
  home?: Role[];
};

export const PAGES: Page[] = [
  { path: '/desk', label: 'nav.desk', roles: ['school_admin', 'program_admin'], component: lazy(() => import('./desk/DeskPage')) },
  { path: '/returns', label: 'nav.returns', roles: ['school_admin', 'program_admin'], component: lazy(() => import('./returns/ReturnDeskPage')) },
  {
    path: '/worklists/overdue',
    pattern: '/worklists/:list',
    label: 'nav.worklists',
    roles: ['school_admin', 'program_admin', 'auditor'],
    component: lazy(() => import('./worklists/WorklistsPage')),
  },
  { path: '/labels', label: 'nav.labels', roles: ['school_admin', 'program_admin'], component: lazy(() => import('./labels/LabelsPage')) },
  { path: '/setup', label: 'nav.setup', roles: ['school_admin', 'program_admin'], component: lazy(() => import('./setup/SetupPage')) },
  // The education office's pages (dashboards, audit, evidence pack, program administration).
  { path: '/dashboards', label: 'nav.dashboards', roles: ['auditor', 'program_admin'], home: ['auditor'], component: lazy(() => import('./office/DashboardsPage')) },
  { path: '/dashboards/schools', pattern: '/dashboards/schools/:id', label: 'nav.dashboards', roles: ['auditor', 'program_admin'], nav: false, component: lazy(() => import('./office/SchoolPage')) },
  { path: '/audit', pattern: '/audit/:tab?', label: 'nav.audit', roles: ['auditor', 'program_admin'], component: lazy(() => import('./audit/AuditPage')) },
  { path: '/evidence', label: 'nav.evidence', roles: ['auditor', 'program_admin', 'school_admin'], component: lazy(() => import('./office/EvidencePage')) },
  { path: '/admin', pattern: '/admin/:tab?', label: 'nav.admin', roles: ['program_admin'], component: lazy(() => import('./admin/AdminPage')) },
];

/** Where a role lands after signing in. */
export function homeFor(role: Role): string {
  const home = PAGES.find((p) => p.home?.includes(role)) ?? PAGES.find((p) => p.roles.includes(role) && p.nav !== false);
  return home?.path ?? '/';
}
