import type { z } from 'zod';
import { channelTypes, type ChannelType } from './primitives';
import { connectorMessage, inboundMessage } from './channels/inbound-message';
import { outboundMessage } from './channels/outbound-message';
import { deliveryReport } from './channels/delivery-report';
import { channelConfigured } from './events/channel-configured';
import { messageRouted } from './events/message-routed';
import { conversationActions, conversationMoved } from './events/conversation-moved';
import { messageStored } from './events/message-stored';
import { messageDeliveryUpdated } from './events/message-delivery-updated';
import { clientRenamed } from './events/client-renamed';
import { conversationChanged } from './events/conversation-changed';
import { transcriptOutcome, transcriptRequested } from './events/transcript';
import { messageTagged } from './events/message-tagged';

/** Domain events go to the topic exchange `events`; channel traffic to the topic exchange `channels`. */
export const exchanges = { events: 'events', channels: 'channels' } as const;
export type ExchangeName = (typeof exchanges)[keyof typeof exchanges];

const conversationEvents = Object.fromEntries(
  conversationActions.map((action) => [`conversation.${action}`, conversationMoved]),
) as Record<`conversation.${(typeof conversationActions)[number]}`, typeof conversationMoved>;

const perChannel = <P extends string, S extends z.ZodType>(prefix: P, schema: (channel: ChannelType) => S) =>
  Object.fromEntries(channelTypes.map((c) => [`${prefix}.${c}`, schema(c)])) as Record<`${P}.${ChannelType}`, S>;

/** A client message of `inbound.<channel>` names that channel: its type and its payload agree. */
const inboundOf = <S extends z.ZodType<{ channel: ChannelType }>>(schema: S, channel: ChannelType): S =>
  schema.refine((m) => m.channel === channel, { message: `must be ${channel} for inbound.${channel}`, path: ['channel'] });

/** Every message type the bus carries, with the schema of its payload (version 1 of each). */
export const messageCatalogue = {
  'channel.configured': channelConfigured,
  'message.routed': messageRouted,
  'message.received': messageStored,
  'message.sent': messageStored,
  'message.delivery_updated': messageDeliveryUpdated,
  'client.renamed': clientRenamed,
  'conversation.changed': conversationChanged,
  'transcript.requested': transcriptRequested,
  'transcript.sent': transcriptOutcome,
  'transcript.failed': transcriptOutcome,
  'message.tagged': messageTagged,
  ...conversationEvents,
  ...perChannel('inbound', (c) => inboundOf(inboundMessage, c)),
  'inbound.api': inboundOf(connectorMessage, 'api'),
  ...perChannel('outbound', () => outboundMessage),
  ...perChannel('delivery', () => deliveryReport),
} as const;
export type MessageType = keyof typeof messageCatalogue;
export type PayloadOf<T extends MessageType> = z.infer<(typeof messageCatalogue)[T]>;

export const exchangeOf = (type: MessageType): ExchangeName =>
  /^(inbound|outbound|delivery)\./.test(type) ? exchanges.channels : exchanges.events;

export const isMessageType = (type: string): type is MessageType => Object.hasOwn(messageCatalogue, type);
