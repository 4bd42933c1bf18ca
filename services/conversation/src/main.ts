import { startTelemetry } from '@relaydesk/telemetry';

startTelemetry('conversation');
void import('./service').then(({ runConversation }) => runConversation());
