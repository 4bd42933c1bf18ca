import type { WhatsappCheckAnswer, WhatsappCheckBody } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { z } from 'zod';
import type { Channel, ChannelRepository } from '../../store/channel.repository';
import { apiBaseOf, bearer } from './api';

const CHECK_TIMEOUT_MS = 10_000;

/** The answer of the contacts node: `valid` with a wa_id, or `invalid` (or `processing`) without. */
const contactsAnswer = z.object({
  contacts: z.array(z.object({ input: z.string(), status: z.string(), wa_id: z.string().optional() })),
});

/** The WhatsApp channel asked: the one named, or the first one configured. */
async function whatsappChannel(channels: ChannelRepository, channelId: string | undefined): Promise<Channel> {
  if (channelId) {
    const channel = await channels.byId(channelId);
    if (!channel || channel.type !== 'whatsapp') throw new AppError('validation_failed', 'channelId names no WhatsApp channel', [{ path: 'channelId', message: 'names no WhatsApp channel' }]);
    return channel;
  }
  const channel = (await channels.all()).find((c) => c.type === 'whatsapp');
  if (!channel) throw new AppError('conflict', 'No WhatsApp channel is configured: a super_admin must create one first');
  return channel;
}

/**
 * D29: asks the channel's WhatsApp Business API whether the number has WhatsApp, through the
 * contacts node (`POST /contacts`, blocking, forced check). Unreachable or failing → 503.
 */
export async function checkWhatsappNumber(channels: ChannelRepository, { phone, channelId }: WhatsappCheckBody): Promise<WhatsappCheckAnswer> {
  const channel = await whatsappChannel(channels, channelId);
  let answer: Response;
  try {
    answer = await fetch(`${apiBaseOf(channel)}/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(channel) },
      body: JSON.stringify({ blocking: 'wait', contacts: [phone], force_check: true }),
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
  } catch {
    throw new AppError('unavailable', 'The WhatsApp API cannot be reached to check the number; try again shortly');
  }
  if (!answer.ok) throw new AppError('unavailable', `The WhatsApp API could not check the number (HTTP ${answer.status}); try again shortly`);
  const parsed = contactsAnswer.safeParse(await answer.json().catch(() => undefined));
  if (!parsed.success) throw new AppError('unavailable', 'The WhatsApp API answered the number check in an unknown shape; try again shortly');
  const contact = parsed.data.contacts[0];
  const hasWhatsApp = contact?.status === 'valid' && !!contact.wa_id;
  return { phone, hasWhatsApp, waId: hasWhatsApp ? contact.wa_id! : null, channelId: channel.id, groupId: channel.groupId };
}
