import { runService } from '@relaydesk/telemetry';

runService('tagging-analytics', async () => (await import('./service')).runTaggingAnalytics);
