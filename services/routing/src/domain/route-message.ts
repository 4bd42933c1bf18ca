import { clientKey, type InboundMessage, type MessageRouted } from '@relaydesk/contracts';
import { derivedId, makeEnvelope, type MessageOf } from '@relaydesk/bus';
import { AppError } from '@relaydesk/service-kit';

export type ChannelRoute = { channelId: string; groupId: string };

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
  const payload: MessageRouted = { inbound: inbound.payload, groupId: channel.groupId };
  return makeEnvelope('message.routed', payload, {
    id: derivedId(inbound.id, 'routed'),
    source: 'routing',
    partitionKey: clientKey(inbound.payload),
  });
}
