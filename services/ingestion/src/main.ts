import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('ingestion')
  .then(() => import('./service'))
  .then(({ runIngestion }) => runIngestion());
