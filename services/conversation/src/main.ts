import { startTelemetry } from '@relaydesk/telemetry';

void startTelemetry('conversation')
  .then(() => import('./service'))
  .then(({ runConversation }) => runConversation());
