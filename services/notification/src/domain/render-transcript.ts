import type { ChannelType, TranscriptMessage, TranscriptRequested } from '@relaydesk/contracts';

export type TranscriptAttachment = NonNullable<TranscriptMessage['attachment']>;
export type RenderedTranscript = { text: string; html: string };
export type RenderOptions = {
  /** Files that travel with the mail; every other file is a link. */
  attachedIds: ReadonlySet<string>;
  /** The address of a file that opens for whoever reads the mail. */
  linkOf: (attachmentId: string) => string;
};

const channelNames: Record<ChannelType, string> = { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Webchat', api: 'API' };

/**
 * The files in our blob store that fit, in conversation order, within `maxBytes` together; the
 * rest (too big, or only at a connector's URL) are listed as links.
 */
export function chooseAttachments(messages: TranscriptMessage[], maxBytes: number): TranscriptAttachment[] {
  let total = 0;
  const chosen: TranscriptAttachment[] = [];
  for (const file of messages.map((m) => m.attachment)) {
    if (!file?.storageKey || total + file.size > maxBytes) continue;
    total += file.size;
    chosen.push(file);
  }
  return chosen;
}

type MessageView = {
  sender: string;
  senderType: 'client' | 'operator';
  time: string;
  text: string | null;
  note: boolean;
  notDelivered: boolean;
  file?: { name: string; size: string; attached: boolean; link: string };
};

type TranscriptView = {
  title: string;
  facts: [label: string, value: string][];
  zoneNote: string;
  omitted?: string;
  messages: MessageView[];
};

/** D23: the mail of a transcript, as plain text and HTML, from the request's snapshot alone. */
export function renderTranscript(request: TranscriptRequested, options: RenderOptions): RenderedTranscript {
  const view = viewOf(request, options);
  return { text: asText(view), html: asHtml(view) };
}

function viewOf(request: TranscriptRequested, { attachedIds, linkOf }: RenderOptions): TranscriptView {
  const { zone, format } = timeFormat(request.timeZone);
  const { conversation: c, omittedMessages } = request;
  return {
    title: `Conversation with ${c.clientName}`,
    facts: [
      ['Client', c.clientName],
      ['Channel', channelNames[c.channel]],
      ['Group', c.groupName],
      ['Operator', c.assigneeName ?? 'Unassigned'],
    ],
    zoneNote: `Times are in ${zone}.`,
    ...(omittedMessages > 0 ? { omitted: `${omittedMessages} earlier ${omittedMessages === 1 ? 'message' : 'messages'} not included.` } : {}),
    messages: request.messages.map((m) => ({
      sender: m.sender.name,
      senderType: m.sender.type,
      time: format(m.createdAt),
      text: m.text,
      note: m.kind === 'note',
      notDelivered: m.notDelivered === true,
      ...(m.attachment
        ? {
            file: {
              name: m.attachment.fileName,
              size: describeSize(m.attachment.size),
              attached: attachedIds.has(m.attachment.id),
              link: linkOf(m.attachment.id),
            },
          }
        : {}),
    })),
  };
}

/** A zone the runtime does not know falls back to UTC, and the mail says so. */
function timeFormat(timeZone: string): { zone: string; format: (iso: string) => string } {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
  }
  return { zone: formatter.resolvedOptions().timeZone, format: (iso) => formatter.format(new Date(iso)) };
}

function describeSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function asText(view: TranscriptView): string {
  const lines = [view.title, ...view.facts.map(([label, value]) => `${label}: ${value}`), view.zoneNote, ''];
  if (view.omitted) lines.push(view.omitted, '');
  for (const m of view.messages) {
    lines.push(`${m.sender} (${m.senderType}), ${m.time}${m.note ? ' [internal note]' : ''}${m.notDelivered ? ' [not delivered]' : ''}`);
    if (m.text) lines.push(m.text);
    if (m.file) lines.push(m.file.attached ? `File (attached): ${m.file.name}, ${m.file.size}` : `File: ${m.file.name}, ${m.file.size}: ${m.file.link}`);
    lines.push('');
  }
  return lines.join('\n');
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const muted = 'color:#59636e';
const borders = { client: '#8c959f', operator: '#0969da', note: '#d4a72c' };

function asHtml(view: TranscriptView): string {
  const facts = view.facts.map(([label, value]) => `<tr><td style="${muted};padding-right:12px">${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`).join('');
  const messages = view.messages.map((m) => {
    const style = m.note ? `border-left:3px solid ${borders.note};background:#fff8c5` : `border-left:3px solid ${borders[m.senderType]}`;
    const file = m.file
      ? `<div style="margin-top:4px">&#128206; <a href="${escapeHtml(m.file.link)}">${escapeHtml(m.file.name)}</a> <span style="${muted}">(${escapeHtml(m.file.size)}${m.file.attached ? ', attached' : ''})</span></div>`
      : '';
    return [
      `<div style="${style};padding:6px 10px;margin:8px 0">`,
      `<div style="font-size:13px"><strong>${escapeHtml(m.sender)}</strong> <span style="${muted}">${m.senderType} &middot; ${escapeHtml(m.time)}</span>`,
      m.note ? ` <span style="font-size:12px;color:#7d4e00;font-weight:bold">Internal note</span>` : '',
      m.notDelivered ? ` <span style="font-size:12px;color:#b42318;font-weight:bold">Not delivered</span>` : '',
      '</div>',
      m.text ? `<div style="white-space:pre-wrap;margin-top:2px">${escapeHtml(m.text)}</div>` : '',
      file,
      '</div>',
    ].join('');
  });
  return [
    '<!doctype html><html><head><meta charset="utf-8"></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2328;margin:0;padding:16px">',
    `<h1 style="font-size:18px;margin:0 0 8px">${escapeHtml(view.title)}</h1>`,
    `<table style="font-size:14px;border-collapse:collapse;margin-bottom:8px">${facts}</table>`,
    `<p style="${muted};font-size:12px;margin:0 0 12px">${escapeHtml(view.zoneNote)}</p>`,
    view.omitted ? `<p style="${muted};font-style:italic">${escapeHtml(view.omitted)}</p>` : '',
    ...messages,
    '</body></html>',
  ].join('\n');
}
