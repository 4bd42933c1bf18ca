import { runService } from '@relaydesk/telemetry';

runService('notification', async () => (await import('./service')).runNotification);
