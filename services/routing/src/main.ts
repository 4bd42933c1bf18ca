import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('routing');
void import('./service').then(({ runRouting }) => runRouting());
