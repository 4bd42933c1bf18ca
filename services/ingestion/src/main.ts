import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('ingestion');
void import('./service').then(({ runIngestion }) => runIngestion());
