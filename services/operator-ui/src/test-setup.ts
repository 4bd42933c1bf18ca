import { afterEach } from 'vitest';

// What one test leaves in the browser (drafts, the muted bell, the address) must not reach the next.
afterEach(() => {
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});
