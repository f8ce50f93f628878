import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, setCsrf, type Session } from './api.js';
import { AppView } from './app-view.js';
import { EventsView } from './events-view.js';
import { Outcomes } from './outcome.js';
import { store, useStore } from './store.js';
import { TableView } from './table-view.js';

/**
 * The dashboard page. It arrives as `/#token=…` (a fragment: never sent to a server, kept out of
 * logs and Referer); the token is exchanged for an HttpOnly session cookie and removed from the
 * address bar at once. Views are chosen by the hash: `#/`, `#/app/<name>`, `#/events`.
 */
async function login(): Promise<Session | null> {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    history.replaceState(null, '', location.pathname + location.search + '#/');
    try {
      return await call<Session>('POST', '/api/session', { token: decodeURIComponent(m[1]) });
    } catch {
      return null;
    }
  }
  try {
    return await call<Session>('GET', '/api/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Header({ session }: { session: Session }) {
  const st = useStore();
  if (st.loggedOut) {
    return html`<header>
      <a class="brand" href="#/">Steward</a>
      <p class="error" role="alert">
        The session ended (the web server restarted). Open the URL that
        <code>steward web --status</code> prints.
      </p>
    </header>`;
  }
  return html`<header>
    <a class="brand" href="#/">Steward</a>
    <nav aria-label="Views"><a href="#/">Processes</a><a href="#/events">Events</a></nav>
    <span class=${`conn ${st.connected ? 'up' : 'down'}`} role="status"
      >${st.connected ? 'live' : 'reconnecting…'}</span
    >
    <span class="badge" data-testid="role">${session.role === 'admin' ? 'admin' : 'read-only'}</span>
    <button class="link" onClick=${() => void call('DELETE', '/api/session').then(() => location.reload())}>
      log out
    </button>
  </header>`;
}

function App({ session }: { session: Session }) {
  const route = useRoute();
  const admin = session.role === 'admin';
  const app = /^#\/app\/(.+)$/.exec(route);
  let view;
  if (app?.[1]) view = html`<${AppView} name=${decodeURIComponent(app[1])} admin=${admin} />`;
  else if (route === '#/events') view = html`<${EventsView} />`;
  else view = html`<${TableView} admin=${admin} />`;
  return html`<${Header} session=${session} />
    <main>${view}</main>
    <${Outcomes} />`;
}

function LoggedOut() {
  return html`<main class="login">
    <h1>Steward</h1>
    <p>
      Not logged in. Open the URL that <code>steward web</code> prints (it carries the token), or run
      <code>steward web --status</code> to see it again.
    </p>
  </main>`;
}

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  // With a session cookie already (a reload), the stream opens at once, beside the session check:
  // the first table comes one round trip sooner.
  const early = !/(?:^#|&)token=/.test(location.hash);
  if (early) store.connect();
  const session = await login();
  if (!session) {
    store.close();
    render(html`<${LoggedOut} />`, root);
    return;
  }
  setCsrf(session.csrf ?? '');
  if (!early) store.connect();
  render(html`<${App} session=${session} />`, root);
}

void boot();
