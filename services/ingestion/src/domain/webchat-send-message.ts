import type { Redis } from 'ioredis';
import type { Bus } from '@relaydesk/bus';
import type { AttachmentRef } from '@relaydesk/contracts';
import type { WebchatRepository } from '../store/webchat.repository';
import { acceptInbound, inboundIdOf } from './accept-inbound';
import { mediaKey } from './fetch-media';
import type { Visitor } from './visitor-token';

/** What the widget sends: a text, or a file with an optional caption (D15), under the widget's own id. */
export type VisitorMessage = { clientMessageId: string; text?: string; attachment?: AttachmentRef };

/** The channel-side id of a visitor's message: his clientMessageId, made unique by his id. */
const externalIdOf = (visitor: Visitor, clientMessageId: string): string => `${visitor.visitorId}:${clientMessageId}`;

/** Where the file of the visitor's message `clientMessageId` is stored: a retry of the message writes the same blob. */
export const visitorFileKey = (visitor: Visitor, clientMessageId: string): string => mediaKey(visitor.channelId, externalIdOf(visitor, clientMessageId));

/** The id of the visitor's message `clientMessageId` when it is kept already, else undefined. */
export async function keptMessageId(webchat: WebchatRepository, visitor: Visitor, clientMessageId: string): Promise<string | undefined> {
  const id = inboundIdOf({ channelId: visitor.channelId, externalMessageId: externalIdOf(visitor, clientMessageId) });
  return (await webchat.isKept(visitor, id)) ? id : undefined;
}

/**
 * A visitor's message: on the bus first, then into the widget's history. The id derives from the
 * visitor's clientMessageId, so a retried send is one message on the bus and one line of history;
 * a retry after a failed history write mends it.
 */
export async function sendVisitorMessage(deps: { bus: Bus; redis: Redis; webchat: WebchatRepository }, visitor: Visitor, message: VisitorMessage): Promise<{ id: string; duplicate: boolean }> {
  const { clientMessageId, text, attachment } = message;
  const accepted = await acceptInbound(deps.bus, deps.redis, {
    channel: 'webchat',
    channelId: visitor.channelId,
    externalClientId: visitor.visitorId,
    clientName: visitor.name,
    externalMessageId: externalIdOf(visitor, clientMessageId),
    sentAt: new Date().toISOString(),
    text,
    attachment,
  });
  await deps.webchat.saveVisitorMessage(visitor, { id: accepted.id, clientMessageId, text, attachment });
  return accepted;
}
