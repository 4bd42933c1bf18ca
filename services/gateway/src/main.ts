import { runService } from '@relaydesk/telemetry';

runService('gateway', async () => (await import('./service')).runGateway);
