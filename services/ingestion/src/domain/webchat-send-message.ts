import type { Redis } from 'ioredis';
import type { Bus } from '@relaydesk/bus';
import type { WebchatMessageBody } from '@relaydesk/contracts';
import type { WebchatRepository } from '../store/webchat.repository';
import { acceptInbound } from './accept-inbound';
import type { Visitor } from './visitor-token';

/**
 * A visitor's message: on the bus first, then into the widget's history. The id derives from the
 * visitor's clientMessageId, so a retried send is one message on the bus and one line of history;
 * a retry after a failed history write mends it.
 */
export async function sendVisitorMessage(deps: { bus: Bus; redis: Redis; webchat: WebchatRepository }, visitor: Visitor, body: WebchatMessageBody): Promise<{ id: string; duplicate: boolean }> {
  const accepted = await acceptInbound(deps.bus, deps.redis, {
    channel: 'webchat',
    channelId: visitor.channelId,
    externalClientId: visitor.visitorId,
    clientName: visitor.name,
    externalMessageId: `${visitor.visitorId}:${body.clientMessageId}`,
    sentAt: new Date().toISOString(),
    text: body.text,
  });
  await deps.webchat.saveVisitorMessage(visitor, { id: accepted.id, clientMessageId: body.clientMessageId, text: body.text });
  return accepted;
}
