import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BlobStore } from '@relaydesk/blob-store';
import { derivedId, makeEnvelope, type Bus } from '@relaydesk/bus';
import { largestAttachment, type AttachmentRef, type InboundMessage } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { Channel } from '../../store/channel.repository';
import type { OutboundDeliveryRepository } from '../../store/outbound-delivery.repository';
import { acceptInbound } from '../accept-inbound';
import { fetchMediaToBlobs, MediaGoneError, mediaKey } from '../fetch-media';
import { callPlatform, SendFailure } from '../platform-call';
import { apiBaseOf, bearer, mediaHostsOf, readGraphError } from './api';
import type { ReadWebhook, WhatsappInbound, WhatsappStatus } from './webhook';

export type WhatsappWebhookDeps = { bus: Bus; redis: Redis; blobs: BlobStore; deliveries: OutboundDeliveryRepository };

/** `X-Hub-Signature-256`: HMAC-SHA256 of the body's bytes as received, keyed with the app secret. */
export function verifyWhatsappSignature(channel: Channel, rawBody: Buffer | undefined, header: string | undefined): void {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '')?.[1];
  if (!given || !rawBody) throw new AppError('unauthorized', 'X-Hub-Signature-256 is missing or not of the form sha256=<hex>');
  const expected = createHmac('sha256', String(channel.settings['appSecret'])).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw new AppError('unauthorized', 'X-Hub-Signature-256 does not match the body');
}

/**
 * Puts a webhook's client messages on the bus, files first fetched into the blob store, and its
 * statuses on `delivery.whatsapp`. Resolves once all are confirmed by the broker; a passing failure
 * (the Graph API or the broker down) rejects with 503, so Meta delivers the webhook again.
 */
export async function receiveWhatsappWebhook(deps: WhatsappWebhookDeps, channel: Channel, read: ReadWebhook): Promise<{ accepted: number; statuses: number }> {
  await Promise.all([acceptInOrder(deps, channel, read.inbound), ...read.statuses.map((s) => reportStatus(deps, channel, s))]);
  return { accepted: read.inbound.length, statuses: read.statuses.length };
}

/**
 * Files are fetched side by side, but the messages go on the bus in the webhook's order: a text
 * written after a photo must not overtake it while the photo is fetched.
 */
async function acceptInOrder(deps: WhatsappWebhookDeps, channel: Channel, inbound: WhatsappInbound[]): Promise<void> {
  const messages = await Promise.all(inbound.map((m) => withMedia(deps, channel, m)));
  for (const message of messages) await acceptInbound(deps.bus, deps.redis, message);
}

async function withMedia(deps: WhatsappWebhookDeps, channel: Channel, { message, media }: WhatsappInbound): Promise<InboundMessage> {
  if (!media) return message;
  let attachment: AttachmentRef | undefined;
  let text = message.text;
  try {
    attachment = await fetchMedia(deps.blobs, channel, media);
  } catch (error) {
    if (!(error instanceof MediaGoneError)) throw error;
    text = [`📎 ${media.fileName} could not be fetched from WhatsApp: ${error.message}`, message.text].filter(Boolean).join('\n');
  }
  return { ...message, ...(text ? { text } : {}), ...(attachment ? { attachment } : {}) };
}

const mediaAnswer = (answer: unknown): { url: string; mime_type?: string } | undefined => {
  const url = (answer as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? (answer as { url: string; mime_type?: string }) : undefined;
};

/** `GET /{media-id}` names a short-lived URL; the file is then fetched from it with the same token. */
async function fetchMedia(blobs: BlobStore, channel: Channel, media: NonNullable<WhatsappInbound['media']>): Promise<AttachmentRef> {
  let found: ReturnType<typeof mediaAnswer>;
  try {
    found = mediaAnswer(await callPlatform(`${apiBaseOf(channel)}/${encodeURIComponent(media.id)}`, { headers: bearer(channel) }, readGraphError));
  } catch (error) {
    if (error instanceof SendFailure && error.kind === 'permanent') throw new MediaGoneError(`media ${media.id}: ${error.title}`);
    throw new AppError('unavailable', `The WhatsApp API cannot answer for media ${media.id} now; try again`);
  }
  if (!found) throw new MediaGoneError(`the WhatsApp API named no URL for media ${media.id}`);
  return fetchMediaToBlobs(blobs, {
    url: found.url,
    allowedHosts: mediaHostsOf(channel),
    headers: bearer(channel),
    maxBytes: largestAttachment('whatsapp'),
    key: mediaKey(channel.id, media.id),
    fileName: media.fileName,
    declaredMimeType: found.mime_type?.split(';')[0]?.trim() || media.mimeType,
  });
}

/** A status of our message; one that beats the send's answer waits until we know the message. */
async function reportStatus(deps: WhatsappWebhookDeps, channel: Channel, { wamid, report }: WhatsappStatus): Promise<void> {
  const messageId = await deps.deliveries.messageIdOf(channel.id, wamid);
  if (!messageId) return deps.deliveries.keepEarlyStatus(channel.id, wamid, { ...report, externalMessageId: wamid });
  await deps.bus.publish([
    makeEnvelope('delivery.whatsapp', { ...report, messageId }, { id: derivedId(messageId, `delivery/${report.status}`), source: 'ingestion', partitionKey: messageId }),
  ]);
}
