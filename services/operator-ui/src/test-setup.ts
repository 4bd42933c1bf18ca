import { afterEach } from 'vitest';

// What one test leaves in the browser's storage (drafts, the muted bell) must not reach the next.
afterEach(() => localStorage.clear());
