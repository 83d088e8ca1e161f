import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Language, SessionInfo } from '../../src/web/api/contract.ts';
import { api, setCsrfToken, setRequestLanguage, setUnauthorizedHandler } from './api.ts';
import { ErrorAlert, Loading } from './components/alerts.tsx';
import { AuthFrame } from './components/auth-frame.tsx';
import { Layout } from './components/layout.tsx';
import { Page } from './components/page.tsx';
import { createI18n, I18nContext, storedLanguage, storeLanguage, useI18n } from './i18n.ts';
import { LiveContext, useLiveOverview } from './live.ts';
import { ForbiddenPage, NotFoundPage } from './pages/missing.tsx';
import { LoginPage } from './pages/login.tsx';
import { SetupPage } from './pages/setup.tsx';
import { matchPath, navigate, useLocation } from './router.tsx';
import { ROUTES } from './routes.ts';
import { SessionContext, useSession, useUser } from './session.ts';

type View = 'loading' | 'setup' | 'login' | 'app';

/** Where to go after signing in: the page asked for, if it is one of ours. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function App() {
  const [lang, setLang] = useState<Language>(storedLanguage);
  const [session, setSessionState] = useState<SessionInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const { path, search } = useLocation();

  // Applied while rendering, so that the page's first requests already ask for this language.
  const i18n = useMemo(() => {
    storeLanguage(lang);
    setRequestLanguage(lang);
    return createI18n(lang, setLang, undefined);
  }, [lang]);

  const setSession = (next: SessionInfo) => {
    setCsrfToken(next.csrfToken);
    setSessionState(next);
  };

  const loadSession = () => {
    setLoadError(null);
    api.get<SessionInfo>('/api/session').then(setSession, setLoadError);
  };

  const forgetUser = () => {
    setCsrfToken(null);
    setSessionState((current) => current && { ...current, user: null, csrfToken: null });
  };

  useEffect(() => {
    setUnauthorizedHandler(forgetUser);
    loadSession();
  }, []);

  const signOut = async () => {
    // Signed out on this screen even if the server could not be told.
    await api.post('/api/logout').catch(() => {});
    forgetUser();
    navigate('/login', { replace: true });
  };

  const view: View = !session
    ? 'loading'
    : session.setupNeeded
      ? 'setup'
      : session.user
        ? 'app'
        : 'login';

  // Keep the address bar in step with what is shown.
  useEffect(() => {
    if (view === 'setup' && path !== '/setup') navigate('/setup', { replace: true });
    if (view === 'login' && path !== '/login') {
      const wanted =
        path === '/' || path === '/setup' ? '' : `?next=${encodeURIComponent(path + search)}`;
      navigate(`/login${wanted}`, { replace: true });
    }
    if (view === 'app' && (path === '/login' || path === '/setup'))
      navigate(nextPath(search), { replace: true });
  }, [view, path]);

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <SessionContext.Provider value={{ session, setSession, signOut }}>
          {view === 'app' ? (
            <SignedIn />
          ) : (
            <AuthFrame>{view === 'setup' ? <SetupPage /> : <LoginPage />}</AuthFrame>
          )}
        </SessionContext.Provider>
      ) : (
        <AuthFrame>
          <Page title="nonmerci">
            {loadError ? (
              <>
                <ErrorAlert error={loadError} />
                <button type="button" class="button" onClick={loadSession}>
                  {i18n.t('common.retry')}
                </button>
              </>
            ) : (
              <Loading />
            )}
          </Page>
        </AuthFrame>
      )}
    </I18nContext.Provider>
  );
}

/** Everything behind sign-in: the live overview, dates in the hotline's time zone, the pages. */
function SignedIn() {
  const live = useLiveOverview();
  const base = useI18n();
  const timeZone = live.overview?.timeZone;
  const i18n = useMemo(
    () => createI18n(base.lang, base.setLang, timeZone),
    [base.lang, base.setLang, timeZone],
  );
  const user = useUser();
  const { session } = useSession();
  const { path } = useLocation();

  const allowed = (route: (typeof ROUTES)[number]) => !route.admin || user.role === 'admin';
  const links = ROUTES.filter(
    (route) => route.nav && allowed(route) && (!route.demo || session.demo),
  ).map((route) => ({ href: route.path, label: route.nav ? i18n.t(route.nav) : '' }));

  let content = <NotFoundPage />;
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    content = allowed(route) ? <route.page params={params} /> : <ForbiddenPage />;
    break;
  }

  return (
    <I18nContext.Provider value={i18n}>
      <LiveContext.Provider value={live}>
        <Layout links={links}>{content}</Layout>
      </LiveContext.Provider>
    </I18nContext.Provider>
  );
}
