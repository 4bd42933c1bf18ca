import { runService } from '@relaydesk/telemetry';

runService('conversation', async () => (await import('./service')).runConversation);
