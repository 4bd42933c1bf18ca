import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('notification')
  .then(() => import('./service'))
  .then(({ runNotification }) => runNotification());
