import { uuid } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import type { Channel, ChannelRepository } from '../store/channel.repository';

const channelParams = z.object({ channelId: uuid });

/** The webchat channel a widget names in its path: 400 for a malformed id, 404 for no such webchat channel. */
export async function webchatChannelOf(channels: ChannelRepository, params: unknown): Promise<Channel> {
  const { channelId } = parseOrThrow(channelParams, params, 'path');
  const channel = await channels.byId(channelId);
  if (!channel || channel.type !== 'webchat') throw new AppError('not_found', 'No such webchat channel');
  return channel;
}

/**
 * Pages that may talk to the channel from a browser: its `allowedOrigins` and ingestion's own
 * origin (the demo page). A request without Origin comes from no browser page, so there is no
 * page to refuse; the visitor token still guards everything that is the visitor's.
 */
export function checkOrigin(channel: Channel, origin: string | undefined, ownOrigin: string): void {
  if (origin === undefined) return;
  const allowed = [ownOrigin, ...((channel.settings['allowedOrigins'] as string[] | undefined) ?? []).map((o) => new URL(o).origin)];
  if (!allowed.includes(origin)) throw new AppError('forbidden', `Origin ${origin} may not use this webchat channel`);
}
