import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { makeEnvelope, transactWithOutbox, type Emit, type OutboxRelay } from '@relaydesk/bus';
import { channelSettings, type ChannelType, type CreateChannelBody, type PatchChannelBody } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { secretFields, type Channel, type ChannelRepository } from '../store/channel.repository';

/** A channel as a super_admin sees it; a webchat's `widgetTag` is the one tag its site puts on a page. */
export type ChannelView = { id: string; type: ChannelType; name: string; groupId: string; enabled: boolean; webhookUrl: string; widgetTag?: string; settings: Record<string, unknown> };

export function channelView(c: Channel, publicUrl: string): ChannelView {
  const settings = Object.fromEntries(Object.entries(c.settings).filter(([k]) => !secretFields[c.type].includes(k)));
  const webhookUrl = c.type === 'api' ? `${publicUrl}/ingest/v1/messages` : `${publicUrl}/ingest/v1/${c.type}/${c.id}`;
  const widget = c.type === 'webchat' ? { widgetTag: `<script src="${publicUrl}/ingest/v1/webchat/widget.js" data-channel-id="${c.id}" async></script>` } : {};
  return { id: c.id, type: c.type, name: c.name, groupId: c.groupId, enabled: c.enabled, webhookUrl, ...widget, settings };
}

async function saveAndAnnounce(tx: Tx, emit: Emit, channels: ChannelRepository, c: Channel): Promise<Channel> {
  try {
    await channels.save(tx, c);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'This API key is used by another channel');
    throw error;
  }
  emit([makeEnvelope('channel.configured', { channelId: c.id, type: c.type, name: c.name, groupId: c.groupId }, { source: 'ingestion', partitionKey: c.id })]);
  return c;
}

export function createChannel(db: DataSource, relay: OutboxRelay, channels: ChannelRepository, body: CreateChannelBody): Promise<Channel> {
  return transactWithOutbox(db, relay, (tx, emit) => saveAndAnnounce(tx, emit, channels, { id: uuidv7(), enabled: true, ...body }));
}

export function patchChannel(db: DataSource, relay: OutboxRelay, channels: ChannelRepository, id: string, body: PatchChannelBody): Promise<Channel> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const current = await channels.lockedById(tx, id);
    if (!current) throw new AppError('not_found', 'No such channel');
    // Secrets are write-only, so a settings change keeps the stored ones the body leaves out.
    const settings = body.settings ? parseOrThrow(channelSettings[current.type], { ...current.settings, ...body.settings }, 'settings') : current.settings;
    const { name = current.name, groupId = current.groupId, enabled = current.enabled } = body;
    return saveAndAnnounce(tx, emit, channels, { ...current, name, groupId, enabled, settings });
  });
}
