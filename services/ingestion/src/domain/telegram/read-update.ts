import type { InboundMessage } from '@relaydesk/contracts';
import type { TelegramMessage, TelegramUpdate } from './update';
import { isoOfSeconds } from '../platform-time';

/** A client's file named by an update: fetched through `getFile` before the message goes on the bus. */
export type TelegramFile = { fileId: string; size: number | undefined; fileName: string; mimeType: string; label: string };

/** A client message read from an update, ready for the bus once its file (if any) is fetched. */
export type TelegramInbound = { message: InboundMessage; file?: TelegramFile };

const EDIT_PREFIX = '(edited) ';
const TEXT_MAX = 10_000;
const NAME_MAX = 200;
const FILE_NAME_MAX = 255;

/** Fields of a Message that say who, when and how, not what: any other field names its kind. */
const aboutFields = new Set([
  'message_id', 'message_thread_id', 'from', 'sender_chat', 'sender_boost_count', 'sender_business_bot', 'date', 'business_connection_id', 'chat',
  'forward_origin', 'forward_from', 'forward_from_chat', 'forward_from_message_id', 'forward_signature', 'forward_sender_name', 'forward_date',
  'is_topic_message', 'is_automatic_forward', 'reply_to_message', 'external_reply', 'quote', 'reply_to_story', 'via_bot', 'edit_date',
  'has_protected_content', 'is_from_offline', 'media_group_id', 'author_signature', 'entities', 'caption_entities', 'link_preview_options',
  'effect_id', 'show_caption_above_media', 'has_media_spoiler', 'reply_markup', 'caption',
]);

/**
 * The client message an update carries: `message`, or `edited_message` stored as a message of its
 * own (its id marks the edit, its text starts with "(edited) "). Anything else, such as a
 * `callback_query`, answers why it is ignored, as do the position updates of a live location.
 */
export function readTelegramUpdate(update: TelegramUpdate, channelId: string): TelegramInbound | { ignored: string } {
  const edited = update.message === undefined && update.edited_message !== undefined;
  const m = update.message ?? update.edited_message;
  if (!m) return { ignored: Object.keys(update).find((k) => k !== 'update_id') ?? 'empty update' };
  if (edited && m.location) return { ignored: 'live location update' };

  const file = fileOf(m);
  const content = textOf(m) ?? (file ? undefined : `Unsupported message (${kindOf(m)})`);
  const text = edited ? `${EDIT_PREFIX}${content ?? ''}`.trimEnd() : content;
  const sentAt = edited && m.edit_date !== undefined ? m.edit_date : m.date;
  const message: InboundMessage = {
    channel: 'telegram',
    channelId,
    externalClientId: String(m.chat.id),
    clientName: clientNameOf(m),
    externalMessageId: `${m.chat.id}:${m.message_id}${edited ? `:edit:${sentAt}` : ''}`,
    sentAt: isoOfSeconds(sentAt),
    ...(text ? { text: text.slice(0, TEXT_MAX) } : {}),
  };
  return file ? { message, file } : { message };
}

function clientNameOf(m: TelegramMessage): string {
  const person = m.from ?? m.chat;
  const name = [person.first_name, person.last_name].filter(Boolean).join(' ').trim();
  const username = person.username ? `@${person.username}` : '';
  return (name || username || m.chat.title?.trim() || `Telegram ${m.chat.id}`).slice(0, NAME_MAX);
}

function textOf(m: TelegramMessage): string | undefined {
  if (m.text) return m.text;
  if (m.venue) return `Location: ${m.venue.title}, ${m.venue.address} (${m.venue.location.latitude}, ${m.venue.location.longitude})`;
  if (m.location) return `Location: ${m.location.latitude}, ${m.location.longitude}`;
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return `Contact: ${name}, ${m.contact.phone_number}`;
  }
  return m.caption || undefined;
}

const mimeTypeOr = (declared: string | undefined, fallback: string): string => (declared && /^[\w.+-]+\/[\w.+-]+$/.test(declared) ? declared : fallback);
const named = (fileName: string | undefined, fallback: string): string => (fileName?.trim() || fallback).slice(0, FILE_NAME_MAX);

function fileOf(m: TelegramMessage): TelegramFile | undefined {
  if (m.photo) {
    // The same picture in several sizes: the largest is the original.
    const largest = m.photo.reduce((a, b) => (b.width * b.height > a.width * a.height || (b.width * b.height === a.width * a.height && (b.file_size ?? 0) > (a.file_size ?? 0)) ? b : a));
    return { fileId: largest.file_id, size: largest.file_size, fileName: `photo_${largest.file_unique_id}.jpg`, mimeType: 'image/jpeg', label: 'photo' };
  }
  if (m.document) {
    const d = m.document; // also a GIF's `animation`, which Telegram repeats as a document
    return { fileId: d.file_id, size: d.file_size, fileName: named(d.file_name, `document_${d.file_unique_id}`), mimeType: mimeTypeOr(d.mime_type, 'application/octet-stream'), label: 'document' };
  }
  if (m.voice) return { fileId: m.voice.file_id, size: m.voice.file_size, fileName: `voice_${m.voice.file_unique_id}.ogg`, mimeType: mimeTypeOr(m.voice.mime_type, 'audio/ogg'), label: 'voice message' };
  if (m.audio) {
    const a = m.audio;
    return { fileId: a.file_id, size: a.file_size, fileName: named(a.file_name, `audio_${a.file_unique_id}.mp3`), mimeType: mimeTypeOr(a.mime_type, 'audio/mpeg'), label: 'audio file' };
  }
  if (m.video) {
    const v = m.video;
    return { fileId: v.file_id, size: v.file_size, fileName: named(v.file_name, `video_${v.file_unique_id}.mp4`), mimeType: mimeTypeOr(v.mime_type, 'video/mp4'), label: 'video' };
  }
  if (m.video_note) return { fileId: m.video_note.file_id, size: m.video_note.file_size, fileName: `video_note_${m.video_note.file_unique_id}.mp4`, mimeType: 'video/mp4', label: 'video message' };
  if (m.sticker) {
    const s = m.sticker;
    const [extension, mimeType] = s.is_animated ? ['tgs', 'application/x-tgsticker'] : s.is_video ? ['webm', 'video/webm'] : ['webp', 'image/webp'];
    return { fileId: s.file_id, size: s.file_size, fileName: `sticker_${s.file_unique_id}.${extension}`, mimeType, label: 'sticker' };
  }
  return undefined;
}

function kindOf(m: TelegramMessage): string {
  return Object.keys(m).find((k) => !aboutFields.has(k)) ?? 'empty message';
}
