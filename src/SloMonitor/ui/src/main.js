// The UI's entry point: picks the page from the address (deep links work on reload) and keeps it fresh.
import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { h, replace } from './lib/dom.js';
import { startRefreshing } from './lib/refresh.js';
import * as overview from './pages/overview.js';
import * as oncall from './pages/oncall.js';
import * as slo from './pages/slo.js';
import * as incident from './pages/incident.js';

const routes = [
  { pattern: /^\/ui\/?$/, page: overview, nav: 'overview' },
  { pattern: /^\/ui\/oncall\/?$/, page: oncall, nav: 'oncall' },
  { pattern: /^\/ui\/slos\/([^/]+)\/?$/, page: slo, nav: 'overview' },
  { pattern: /^\/ui\/incidents\/([^/]+)\/?$/, page: incident, nav: 'oncall' },
];

function start() {
  const main = document.getElementById('page');
  const status = document.getElementById('refresh-status');
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

start();
