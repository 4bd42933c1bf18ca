import { runService } from '@relaydesk/telemetry';

runService('search', async () => (await import('./service')).runSearch);
