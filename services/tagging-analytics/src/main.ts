import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('tagging-analytics')
  .then(() => import('./service'))
  .then(({ runTaggingAnalytics }) => runTaggingAnalytics());
