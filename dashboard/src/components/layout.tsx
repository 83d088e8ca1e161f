import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { Link, useLocation } from '../router.tsx';
import { useSession, useUser } from '../session.ts';
import { ConnectionBadge } from './connection-badge.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { RaidBanner } from './raid-banner.tsx';

export interface NavLink {
  href: string;
  label: string;
}

/** The signed-in frame: skip link, header with the raid banner and navigation, and main. */
export function Layout(props: { links: NavLink[]; children: ComponentChildren }) {
  const { t } = useI18n();
  const user = useUser();
  const { signOut } = useSession();
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const firstRender = useRef(true);

  // After a page change: close the phone menu and bring keyboard and screen reader to the new h1.
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [path]);

  const current = (href: string) =>
    href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);

  return (
    <>
      <a class="skip-link" href="#main">
        {t('layout.skip')}
      </a>
      <header class="site-header">
        <RaidBanner />
        <div class="header-bar">
          <Link href="/" class="brand">
            nonmerci
          </Link>
          <ConnectionBadge />
          <button
            type="button"
            class="menu-button"
            aria-expanded={menuOpen}
            aria-controls="site-menu"
            onClick={() => setMenuOpen(!menuOpen)}
          >
            <span aria-hidden="true">☰ </span>
            {t('layout.menu')}
          </button>
          <div id="site-menu" class={`site-menu ${menuOpen ? 'site-menu-open' : ''}`}>
            <nav aria-label={t('layout.nav')}>
              <ul>
                {props.links.map((link) => (
                  <li key={link.href}>
                    <Link href={link.href} aria-current={current(link.href) ? 'page' : undefined}>
                      {link.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="account-tools">
              <LanguageSwitch />
              <Link
                href="/account"
                class="account-link"
                aria-current={current('/account') ? 'page' : undefined}
              >
                <span class="visually-hidden">{t('layout.accountPrefix')}</span>
                {user.username}
              </Link>
              <button type="button" class="button button-quiet" onClick={() => void signOut()}>
                {t('layout.signOut')}
              </button>
            </div>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
