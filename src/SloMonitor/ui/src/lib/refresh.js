// Runs a page's refresh now and then every `seconds`, pausing while the tab is hidden, and says how it went.
import { time } from './format.js';

export function startRefreshing(refresh, { seconds = 10, main, status }) {
  let timer = null;
  let running = false;

  async function run() {
    clearTimeout(timer);
    if (running) return;
    running = true;
    try {
      await refresh(new Date());
      main.dataset.refreshedAt = new Date().toISOString();
      main.removeAttribute('data-refresh-error');
      status.textContent = `Updated ${time(new Date().toISOString())} · refreshes every ${seconds} s`;
      status.classList.remove('failing');
    } catch (error) {
      main.dataset.refreshError = error.message;
      status.textContent = `Refresh failed: ${error.message} · retrying in ${seconds} s`;
      status.classList.add('failing');
    } finally {
      running = false;
      main.setAttribute('aria-busy', 'false');
      if (!document.hidden) timer = setTimeout(run, seconds * 1000);
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(timer);
    else run();
  });
  run();
  return { now: run };
}
