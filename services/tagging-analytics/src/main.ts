import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('tagging-analytics');
void import('./service').then(({ runTaggingAnalytics }) => runTaggingAnalytics());
