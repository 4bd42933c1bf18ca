import type { Redis } from 'ioredis';
import type { BlobStore } from '@relaydesk/blob-store';
import type { Bus } from '@relaydesk/bus';
import type { AttachmentRef } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { z } from 'zod';
import type { Channel } from '../../store/channel.repository';
import { acceptInbound } from '../accept-inbound';
import { sameSecret } from '../channel-access';
import { fetchMediaToBlobs, MediaGoneError, mediaKey } from '../fetch-media';
import { SendFailure } from '../platform-call';
import { apiBaseOf, callBotApi, fileUrl } from './bot-api';
import { readTelegramUpdate, type TelegramFile } from './read-update';
import type { TelegramUpdate } from './update';

export type TelegramWebhookDeps = { bus: Bus; redis: Redis; blobs: BlobStore };

/** The Bot API lets bots download files up to 20 MB. */
const DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** A path as `getFile` names them (`photos/file_1.jpg`): relative, no `..`, nothing that could leave the API host. */
const plainFilePath = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const fileAnswer = z.object({ file_path: z.string().max(1000).optional() });

/** `X-Telegram-Bot-Api-Secret-Token` must be the channel's secret token (compared in constant time). */
export function verifyTelegramSecret(channel: Channel, header: string | undefined): void {
  if (!sameSecret(header, channel.settings['secretToken'])) {
    throw new AppError('unauthorized', "X-Telegram-Bot-Api-Secret-Token is missing or not this channel's secret token");
  }
}

/**
 * Puts an update's client message on the bus, its file first fetched into the blob store, and
 * resolves once the broker confirmed it. A file Telegram no longer has becomes a note in the text
 * rather than a lost message; a passing failure rejects with 503, so Telegram delivers again.
 */
export async function receiveTelegramUpdate(deps: TelegramWebhookDeps, channel: Channel, update: TelegramUpdate): Promise<{ id: string; duplicate: boolean } | { ignored: string }> {
  const read = readTelegramUpdate(update, channel.id);
  if ('ignored' in read) return read;
  const { message, file } = read;
  if (!file) return acceptInbound(deps.bus, deps.redis, message);
  let attachment: AttachmentRef;
  try {
    attachment = await fetchTelegramFile(deps.blobs, channel, file);
  } catch (error) {
    if (!(error instanceof MediaGoneError)) throw error;
    const note = `📎 The client's ${file.label} (${file.fileName}) could not be fetched from Telegram: ${error.message}`;
    return acceptInbound(deps.bus, deps.redis, { ...message, text: [message.text, note].filter(Boolean).join('\n') });
  }
  return acceptInbound(deps.bus, deps.redis, { ...message, attachment });
}

/** `getFile` names the file's path; the bytes come from the channel's API host and nowhere else. */
async function fetchTelegramFile(blobs: BlobStore, channel: Channel, file: TelegramFile): Promise<AttachmentRef> {
  if (file.size !== undefined && file.size > DOWNLOAD_MAX_BYTES) throw new MediaGoneError('it is over the 20 MB bots may download');
  let answer: unknown;
  try {
    answer = await callBotApi(channel, `getFile?file_id=${encodeURIComponent(file.fileId)}`, {});
  } catch (error) {
    if (!(error instanceof SendFailure)) throw error;
    if (error.kind === 'permanent') throw new MediaGoneError(error.title);
    throw new AppError('unavailable', `The Telegram Bot API cannot answer getFile now (${error.title}); try again`);
  }
  const filePath = fileAnswer.safeParse(answer).data?.file_path;
  if (!filePath) throw new MediaGoneError('Telegram named no path for the file');
  if (!plainFilePath.test(filePath)) throw new MediaGoneError('Telegram named a file path that is not a plain relative path; it was not fetched');
  return fetchMediaToBlobs(blobs, {
    url: fileUrl(channel, filePath),
    allowedHosts: [new URL(apiBaseOf(channel)).host],
    maxBytes: DOWNLOAD_MAX_BYTES,
    key: mediaKey(channel.id, file.fileId),
    fileName: file.fileName,
    declaredMimeType: file.mimeType,
  });
}
