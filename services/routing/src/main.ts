import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('routing')
  .then(() => import('./service'))
  .then(({ runRouting }) => runRouting());
