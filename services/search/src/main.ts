import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('search')
  .then(() => import('./service'))
  .then(({ runSearch }) => runSearch());
