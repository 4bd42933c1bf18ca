import { runService } from '@relaydesk/telemetry';

runService('routing', async () => (await import('./service')).runRouting);
