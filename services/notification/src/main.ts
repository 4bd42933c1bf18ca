import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('notification');
void import('./service').then(({ runNotification }) => runNotification());
