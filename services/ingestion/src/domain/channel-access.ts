import { createHash, timingSafeEqual } from 'node:crypto';
import { uuid, type ChannelType } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import type { Channel, ChannelRepository } from '../store/channel.repository';

const channelParams = z.object({ channelId: uuid });

/** The channel of `type` a path names: 400 for a malformed id, 404 for none of that type. */
export async function channelOf(channels: ChannelRepository, type: ChannelType, channelId: unknown): Promise<Channel> {
  const { channelId: id } = parseOrThrow(channelParams, { channelId }, 'path');
  const channel = await channels.byId(id);
  if (!channel || channel.type !== type) throw new AppError('not_found', `No such ${type} channel`);
  return channel;
}

/** As `channelOf`, for what clients send in: a channel a super_admin disabled takes nothing (403). */
export async function receivingChannelOf(channels: ChannelRepository, type: ChannelType, channelId: unknown): Promise<Channel> {
  return refuseDisabled(await channelOf(channels, type, channelId));
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Whether a platform sent the channel's secret, compared in constant time (of the digests, so lengths leak nothing either). */
export function sameSecret(given: string | undefined, expected: unknown): boolean {
  return given !== undefined && typeof expected === 'string' && timingSafeEqual(digest(given), digest(expected));
}

/** What a website visitor is told while his chat is switched off. */
export const chatClosedForNow = 'This chat is closed for now: please try again later';

export function refuseDisabled(channel: Channel): Channel {
  if (!channel.enabled) throw new AppError('forbidden', `Channel ${channel.name} is disabled: it takes no messages until a super_admin enables it again`);
  return channel;
}

/**
 * Pages that may talk to the channel from a browser: its `allowedOrigins` and ingestion's own
 * origin (the demo page). A request without Origin comes from no browser page, so there is no
 * page to refuse; the visitor token still guards everything that is the visitor's.
 */
export function checkOrigin(channel: Channel, origin: string | undefined, ownOrigin: string): void {
  if (!originAllowed(channel, origin, ownOrigin)) throw new AppError('forbidden', `Origin ${origin} may not use this webchat channel`);
}

/** Whether a page of `origin` may use the webchat channel: one of its allowed sites, or ingestion's own (the demo page). */
export function originAllowed(channel: Channel, origin: string | undefined, ownOrigin: string): boolean {
  if (origin === undefined) return true;
  const allowed = [ownOrigin, ...((channel.settings['allowedOrigins'] as string[] | undefined) ?? []).map((o) => new URL(o).origin)];
  return allowed.includes(origin);
}
