import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('gateway')
  .then(() => import('./service'))
  .then(({ runGateway }) => runGateway());
