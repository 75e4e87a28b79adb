// The UI's entry point: picks the page from the address (deep links work on reload) and keeps it fresh.
import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { h, replace } from './lib/dom.js';
import { startRefreshing } from './lib/refresh.js';
import { getJson, onUnauthorized } from './lib/api.js';
import { currentToken, forgetToken, keepToken, session, takeTokenFromAddress } from './lib/session.js';
import { callbackPath, completeSignIn, startSignIn } from './lib/oidc.js';
import * as overview from './pages/overview.js';
import * as oncall from './pages/oncall.js';
import * as slo from './pages/slo.js';
import * as incident from './pages/incident.js';
import * as report from './pages/report.js';
import * as debug from './pages/debug.js';

const routes = [
  { pattern: /^\/ui\/?$/, page: overview, nav: 'overview' },
  { pattern: /^\/ui\/oncall\/?$/, page: oncall, nav: 'oncall' },
  { pattern: /^\/ui\/slos\/([^/]+)\/?$/, page: slo, nav: 'overview' },
  { pattern: /^\/ui\/slos\/([^/]+)\/debug\/?$/, page: debug, nav: 'overview' },
  { pattern: /^\/ui\/incidents\/([^/]+)\/?$/, page: incident, nav: 'oncall' },
  { pattern: /^\/ui\/reports\/?$/, page: report, nav: 'reports' },
];

async function start() {
  const main = document.getElementById('page');
  const status = document.getElementById('refresh-status');
  takeTokenFromAddress();
  const config = await uiConfig();
  if (window.location.pathname === callbackPath && config.oidc) {
    try {
      window.location.replace(await completeSignIn(config.oidc));
    } catch (error) {
      signIn(main, config, `Single sign-on failed: ${error.message}`);
    }
    return;
  }
  onUnauthorized((message) => signIn(main, config, `Not signed in: ${message}`));
  if (!currentToken()) {
    signIn(main, config);
    return;
  }
  try {
    const me = await getJson('/api/v1/whoami');
    session.name = me.name;
    showSignedIn(me);
  } catch (error) {
    if (error.status !== 401) status.textContent = `Could not reach the service: ${error.message}`;
    main.setAttribute('aria-busy', 'false');
    return;
  }
  const path = window.location.pathname;
  const route = routes.find((r) => r.pattern.test(path));
  document.querySelectorAll('[data-nav]').forEach((link) => {
    if (route && link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
  });
  if (!route) {
    replace(main, h('section', { class: 'panel' }, h('h1', {}, 'Page not found'),
      h('p', {}, 'No page lives at ', h('code', {}, path), '. ', h('a', { href: '/ui' }, 'Back to the overview'), '.')));
    main.setAttribute('aria-busy', 'false');
    return;
  }
  const [, parameter] = path.match(route.pattern);
  const view = route.page.mount(main, parameter === undefined ? undefined : decodeURIComponent(parameter));
  const refresher = startRefreshing(view.refresh, { seconds: 10, main, status });
  view.onChange?.(() => refresher.now());
}

function showSignedIn(me) {
  const box = document.getElementById('signed-in');
  replace(box, 'Signed in as ', h('strong', { id: 'principal' }, me.name), ' ',
    h('button', { type: 'button', id: 'sign-out', class: 'link', onclick: () => { forgetToken(); window.location.reload(); } }, 'Sign out'));
}

let signingIn = false;

// What the sign-in page offers: single sign-on when the service names an OIDC issuer and client for the UI.
async function uiConfig() {
  try {
    const response = await fetch('/api/v1/ui/config', { headers: { Accept: 'application/json' } });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

// The sign-in page: single sign-on when configured, or paste a token (from `SloMonitor tokens create` or the link
// ./run.sh prints).
function signIn(main, config, problem) {
  if (signingIn) return;
  signingIn = true;
  forgetToken();
  replace(document.getElementById('signed-in'));
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', placeholder: 'slom_…', required: true });
  replace(main, h('section', { class: 'panel sign-in' },
    h('h1', {}, 'Sign in'),
    problem ? h('p', { class: 'message failing', role: 'alert', id: 'sign-in-problem' }, problem) : null,
    h('p', {}, 'Paste an API token. Create one on the host with ',
      h('code', {}, 'SloMonitor tokens create --name YOU --scopes read,respond,write'), '.'),
    config.oidc ? h('p', {}, h('button', { type: 'button', id: 'sso-sign-in', onclick: () => startSignIn(config.oidc, window.location.pathname + window.location.search)
      .catch((error) => signInProblem(`Single sign-on failed: ${error.message}`)) }, 'Sign in with single sign-on')) : null,
    h('form', { id: 'sign-in', onsubmit: (e) => { e.preventDefault(); keepToken(input.value); window.location.reload(); } },
      h('label', {}, 'Token ', input), h('button', { type: 'submit', id: 'sign-in-button' }, 'Sign in'))));
  main.setAttribute('aria-busy', 'false');
}

function signInProblem(text) {
  document.getElementById('sign-in-problem')?.remove();
  document.querySelector('.sign-in h1')?.after(h('p', { class: 'message failing', role: 'alert', id: 'sign-in-problem' }, text));
}

start();
