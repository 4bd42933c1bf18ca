import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { routeMessage } from './route-message';

const channelId = randomUUID();
const groupId = randomUUID();
const inbound: InboundMessage = {
  channel: 'webchat',
  channelId,
  externalClientId: 'visitor-1',
  clientName: 'Ann',
  externalMessageId: 'm-1',
  sentAt: new Date().toISOString(),
  text: 'hello 👋',
};

describe('routeMessage', () => {
  it('D2: sends a client message to the default group of its channel', () => {
    const routed = routeMessage({ id: randomUUID(), payload: inbound }, { channelId, groupId });
    expect(routed.payload).toEqual({ inbound, groupId });
    expect(routed.partitionKey).toBe(`${channelId}:visitor-1`);
  });

  it('gives a redelivered inbound message the same routed id', () => {
    const id = randomUUID();
    expect(routeMessage({ id, payload: inbound }, { channelId, groupId }).id).toBe(routeMessage({ id, payload: inbound }, { channelId, groupId }).id);
  });

  it('refuses for good a message naming a channel of another type: a connector may not speak for a WhatsApp channel', () => {
    const spoof = () => routeMessage({ id: randomUUID(), payload: { ...inbound, channel: 'api' } }, { channelId, groupId, type: 'whatsapp' });
    expect(spoof).toThrow(new AppError('validation_failed', `channel ${channelId} is a whatsapp channel, not api`));
    expect(routeMessage({ id: randomUUID(), payload: inbound }, { channelId, groupId, type: 'webchat' }).payload.groupId).toBe(groupId);
  });

  it('asks for a later retry while the channel is unknown', () => {
    expect(() => routeMessage({ id: randomUUID(), payload: inbound }, undefined)).toThrow(AppError);
  });
});
