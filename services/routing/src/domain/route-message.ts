import { clientKey, type ChannelType, type InboundMessage, type MessageRouted } from '@relaydesk/contracts';
import { derivedId, makeEnvelope, type MessageOf } from '@relaydesk/bus';
import { AppError } from '@relaydesk/service-kit';

/** `type` is unknown only for routes kept before routing recorded it. */
export type ChannelRoute = { channelId: string; groupId: string; type?: ChannelType | undefined };

/**
 * Decides where a client message goes: the default group of its channel (D2), where a new or
 * reopened conversation lands (D6). The routed event's id derives from the inbound one, so a
 * redelivered inbound message yields the same event and the conversation service applies it once.
 */
export function routeMessage(
  inbound: { id: string; payload: InboundMessage },
  channel: ChannelRoute | undefined,
): MessageOf<'message.routed'> {
  if (!channel) throw new AppError('unavailable', `channel ${inbound.payload.channelId} is not known to routing yet`);
  // Broker permissions let a connector publish only its own type; the channel id must agree with it.
  if (channel.type && channel.type !== inbound.payload.channel) {
    throw new AppError('validation_failed', `channel ${channel.channelId} is a ${channel.type} channel, not ${inbound.payload.channel}`);
  }
  const payload: MessageRouted = { inbound: inbound.payload, groupId: channel.groupId };
  return makeEnvelope('message.routed', payload, {
    id: derivedId(inbound.id, 'routed'),
    source: 'routing',
    partitionKey: clientKey(inbound.payload),
  });
}
