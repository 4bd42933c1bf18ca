import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('search');
void import('./service').then(({ runSearch }) => runSearch());
