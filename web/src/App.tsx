import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Redirect, Route, Switch } from 'wouter';
import { useSession } from './auth/session';
import { useMe } from './auth/me';
import { SignIn } from './auth/SignIn';
import { Layout } from './components/Layout';
import { Outbox } from './outbox/OutboxProvider';
import { homeFor, PAGES } from './nav';

export function App() {
  const { t } = useTranslation();
  const { token, expired } = useSession();
  const me = useMe();

  // Never signed in (or signed out): the sign-in page. An expired session keeps the page
  // underneath (the desk's input included) and asks for the password in a dialog over it.
  if (!token && !expired) return <SignIn />;
  if (!me.data) {
    if (me.isError && !expired) return <SignIn />;
    return expired ? <SignIn /> : <p className="loading" role="status">{t('common.loading')}</p>;
  }
  const role = me.data.role;
  return (
    <Outbox operatorId={me.data.id ?? `${me.data.kind}`}>
      <Layout role={role}>
        <Suspense fallback={<p className="loading" role="status">{t('common.loading')}</p>}>
          <Switch>
            {PAGES.filter((p) => p.roles.includes(role)).map((p) => (
              <Route key={p.path} path={p.pattern ?? p.path} component={p.component} />
            ))}
            <Route path="/">
              <Redirect to={homeFor(role)} replace />
            </Route>
            <Route>
              <main id="main" className="page">
                <h1>{t('common.notFound')}</h1>
              </main>
            </Route>
          </Switch>
        </Suspense>
      </Layout>
      {expired && <SignIn dialog />}
    </Outbox>
  );
}
