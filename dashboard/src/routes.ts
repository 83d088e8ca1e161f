import type { FunctionComponent } from 'preact';
import type { Key } from './i18n.ts';
import { ROUTE_PATHS, type RoutePath } from './route-paths.ts';
import { AccountPage } from './pages/account.tsx';
import { AuditPage } from './pages/audit.tsx';
import { BudgetPage } from './pages/budget.tsx';
import { CallerPage } from './pages/caller.tsx';
import { CallersPage } from './pages/callers.tsx';
import { ContactsPage } from './pages/contacts.tsx';
import { EvidencePage } from './pages/evidence.tsx';
import { LinesPage } from './pages/lines.tsx';
import { NotificationsPage } from './pages/notifications.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PrivacyPage } from './pages/privacy.tsx';
import { RaidPage } from './pages/raid.tsx';
import { RulesPage } from './pages/rules.tsx';
import { SimulatorPage } from './pages/simulator.tsx';
import { UsersPage } from './pages/users.tsx';

export interface Route {
  path: RoutePath;
  page: FunctionComponent<{ params: Record<string, string> }>;
  /** Its link in the navigation, if it has one. */
  nav?: Key;
  admin?: boolean;
  /** Linked only while simulator lines exist. */
  demo?: boolean;
}

/** The signed-in pages, in navigation order; moderators see those without `admin`. */
export const ROUTES: Route[] = [
  { path: '/', page: OverviewPage, nav: 'nav.overview' },
  { path: '/raid', page: RaidPage, nav: 'nav.raid' },
  { path: '/callers', page: CallersPage, nav: 'nav.callers' },
  { path: '/contacts', page: ContactsPage, nav: 'nav.contacts' },
  { path: '/rules', page: RulesPage, nav: 'nav.rules' },
  { path: '/lines', page: LinesPage, nav: 'nav.lines', admin: true },
  { path: '/budget', page: BudgetPage, nav: 'nav.budget', admin: true },
  { path: '/simulator', page: SimulatorPage, nav: 'nav.simulator', admin: true, demo: true },
  { path: '/notifications', page: NotificationsPage, nav: 'nav.notifications', admin: true },
  { path: '/audit', page: AuditPage, nav: 'nav.audit', admin: true },
  { path: '/evidence', page: EvidencePage, nav: 'nav.evidence', admin: true },
  { path: '/privacy', page: PrivacyPage, nav: 'nav.privacy', admin: true },
  { path: '/users', page: UsersPage, nav: 'nav.users', admin: true },
  { path: '/callers/:id', page: CallerPage },
  { path: '/account', page: AccountPage },
];

if (ROUTES.map((r) => r.path).join() !== ROUTE_PATHS.join())
  throw new Error('routes.ts and route-paths.ts list different pages');
