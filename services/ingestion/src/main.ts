import { runService } from '@relaydesk/telemetry';

runService('ingestion', async () => (await import('./service')).runIngestion);
