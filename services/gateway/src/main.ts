import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('gateway');
void import('./service').then(({ runGateway }) => runGateway());
