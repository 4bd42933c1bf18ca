import { z } from 'zod';
import type { DeliveryReport, InboundMessage } from '@relaydesk/contracts';
import { isoOfSeconds, unixSecondsText } from '../platform-time';

/** The envelope of every Cloud API webhook; the changes inside are read one by one. */
export const whatsappWebhook = z.object({
  object: z.literal('whatsapp_business_account', { message: 'must be "whatsapp_business_account"' }),
  entry: z.array(z.object({ id: z.string().optional(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })).min(1),
});

const change = z.object({
  metadata: z.object({ phone_number_id: z.string() }),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string() }).partial().optional() })).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

const mediaKinds = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaKind = (typeof mediaKinds)[number];
const media = z.object({ id: z.string().min(1), mime_type: z.string().optional(), filename: z.string().optional(), caption: z.string().optional(), voice: z.boolean().optional() });

const message = z.object({
  from: z.string().regex(/^\d{5,20}$/),
  id: z.string().min(1).max(200),
  timestamp: unixSecondsText,
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  ...Object.fromEntries(mediaKinds.map((k) => [k, media.optional()])),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  contacts: z.array(z.object({ name: z.object({ formatted_name: z.string() }).partial().optional(), phones: z.array(z.object({ phone: z.string().optional() })).optional() })).optional(),
  interactive: z.object({ button_reply: z.object({ title: z.string() }).optional(), list_reply: z.object({ title: z.string() }).optional() }).optional(),
  button: z.object({ text: z.string() }).optional(),
  reaction: z.object({ emoji: z.string().optional() }).optional(),
});
type Message = z.infer<typeof message> & Partial<Record<MediaKind, z.infer<typeof media>>>;

const status = z.object({
  id: z.string().min(1).max(200),
  status: z.string(),
  timestamp: unixSecondsText,
  errors: z.array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string() }).partial().optional() })).optional(),
});

/** A client message read from a webhook; `media` names the file still to fetch from the Graph API. */
export type WhatsappInbound = { message: Omit<InboundMessage, 'text' | 'attachment'> & { text?: string }; media?: { id: string; kind: MediaKind; mimeType: string; fileName: string } };
/** A status of one of our messages, by WhatsApp's id for it. */
export type WhatsappStatus = { wamid: string; report: Omit<DeliveryReport, 'messageId' | 'externalMessageId'> };

export type ReadWebhook = { inbound: WhatsappInbound[]; statuses: WhatsappStatus[]; skipped: string[] };

const TEXT_MAX = 10_000;
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const extensionOf: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4', 'video/3gpp': '3gp', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/amr': 'amr', 'application/pdf': 'pdf' };

/**
 * Reads the changes of a webhook for phone number `phoneNumberId`. Each message and status is
 * read on its own: one that does not parse is skipped with the reason, never its neighbours.
 */
export function readWhatsappWebhook(body: z.infer<typeof whatsappWebhook>, channelId: string, phoneNumberId: string): ReadWebhook {
  const read: ReadWebhook = { inbound: [], statuses: [], skipped: [] };
  for (const { field, value } of body.entry.flatMap((e) => e.changes)) {
    const parsed = change.safeParse(value);
    if (field !== 'messages' || !parsed.success) {
      read.skipped.push(`a change of field ${field} that holds no messages`);
      continue;
    }
    if (parsed.data.metadata.phone_number_id !== phoneNumberId) {
      read.skipped.push(`a change for phone number ${parsed.data.metadata.phone_number_id}, not this channel's`);
      continue;
    }
    const names = new Map((parsed.data.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
    for (const raw of parsed.data.messages ?? []) {
      const m = message.safeParse(raw);
      if (m.success) read.inbound.push(inboundOf(m.data, channelId, names.get(m.data.from)));
      else read.skipped.push(`a message that does not parse: ${m.error.issues[0]?.path.join('.')} ${m.error.issues[0]?.message}`);
    }
    for (const raw of parsed.data.statuses ?? []) {
      const s = status.safeParse(raw);
      const report = s.success ? reportOf(s.data) : undefined;
      if (report) read.statuses.push(report);
      else if (!s.success) read.skipped.push(`a status that does not parse: ${s.error.issues[0]?.message}`);
    }
  }
  return read;
}

function inboundOf(m: Message, channelId: string, profileName: string | undefined): WhatsappInbound {
  const base = {
    channel: 'whatsapp' as const,
    channelId,
    externalClientId: m.from,
    clientName: clip(profileName?.trim() || `+${m.from}`, 200),
    phone: `+${m.from}`,
    externalMessageId: m.id,
    sentAt: isoOfSeconds(m.timestamp),
  };
  const kind = mediaKinds.find((k) => k === m.type);
  const file = kind && m[kind];
  if (kind && file) {
    const mimeType = (file.mime_type ?? 'application/octet-stream').split(';')[0]!.trim();
    const fileName = clip(file.filename?.trim() || `${file.voice ? 'voice' : kind}-${m.id.slice(-12).replace(/[^\w-]/g, '')}.${extensionOf[mimeType] ?? 'bin'}`, 255);
    return { message: { ...base, ...(file.caption ? { text: clip(file.caption, TEXT_MAX) } : {}) }, media: { id: file.id, kind, mimeType, fileName } };
  }
  return { message: { ...base, text: clip(textOf(m), TEXT_MAX) } };
}

/** What a message without a file says, in words an operator reads; unknown kinds are named, not dropped. */
function textOf(m: Message): string {
  if (m.type === 'text' && m.text) return m.text.body || ' ';
  if (m.type === 'location' && m.location) {
    const { latitude, longitude, name, address } = m.location;
    const label = [name, address].filter(Boolean).join(', ');
    return `📍 Location${label ? `: ${label}` : ''} (${latitude}, ${longitude}) https://maps.google.com/?q=${latitude},${longitude}`;
  }
  if (m.type === 'contacts' && m.contacts) {
    return m.contacts.map((c) => `👤 Contact: ${[c.name?.formatted_name, ...(c.phones ?? []).map((p) => p.phone)].filter(Boolean).join(', ')}`).join('\n');
  }
  if (m.type === 'interactive' && m.interactive) return m.interactive.button_reply?.title ?? m.interactive.list_reply?.title ?? 'Unsupported message (interactive)';
  if (m.type === 'button' && m.button) return m.button.text;
  if (m.type === 'reaction' && m.reaction) return m.reaction.emoji ? `Reacted ${m.reaction.emoji}` : 'Removed a reaction';
  return `Unsupported message (type: ${clip(m.type, 50)})`;
}

const reportedStatuses = new Set(['sent', 'delivered', 'read', 'failed']);

function reportOf(s: z.infer<typeof status>): WhatsappStatus | undefined {
  if (!reportedStatuses.has(s.status)) return undefined;
  const error = s.errors?.[0];
  return {
    wamid: s.id,
    report: {
      status: s.status as DeliveryReport['status'],
      at: isoOfSeconds(s.timestamp),
      ...(s.status === 'failed'
        ? { error: { code: String(error?.code ?? 'unknown'), title: clip(error?.error_data?.details ?? error?.message ?? error?.title ?? 'WhatsApp could not deliver the message', 1000) } }
        : {}),
    },
  };
}
