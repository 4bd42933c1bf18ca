import type { ChannelType } from '../api/types';

/**
 * D15: what each channel takes, by type and size. A copy of `attachmentRules` in
 * libs/contracts/src/http/attachments.ts (the bundle must not pull zod in); attachments.test.ts
 * fails when the two differ. The server checks again from the file's bytes: this only spares the
 * operator an upload that would be refused.
 */
const MB = 1_000_000;
const pdf = 'application/pdf';
const text = ['text/plain', 'text/csv'];
const office = [
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];
const webImages = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

export type AttachmentRule = { kind: 'image' | 'video' | 'audio' | 'document'; mimeTypes: readonly string[]; maxBytes: number };

export const attachmentRules: Record<ChannelType, readonly AttachmentRule[]> = {
  whatsapp: [
    { kind: 'image', mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
    { kind: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
    { kind: 'audio', mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office], maxBytes: 100 * MB },
  ],
  telegram: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 10 * MB },
    { kind: 'video', mimeTypes: ['video/mp4'], maxBytes: 50 * MB },
    { kind: 'audio', mimeTypes: ['audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 50 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office, 'application/zip'], maxBytes: 50 * MB },
  ],
  webchat: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 10 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office], maxBytes: 10 * MB },
  ],
  api: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 25 * MB },
    { kind: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 25 * MB },
    { kind: 'audio', mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 25 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office, 'application/zip'], maxBytes: 25 * MB },
  ],
};

/** The type each extension promises, as the gateway reads it (services/gateway/src/domain/attachment-type.ts). */
const typeOfExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf,
  txt: 'text/plain',
  csv: 'text/csv',
  doc: office[0]!,
  docx: office[1]!,
  xls: office[2]!,
  xlsx: office[3]!,
  ppt: office[4]!,
  pptx: office[5]!,
  zip: 'application/zip',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  amr: 'audio/amr',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
};

export const megabytes = (bytes: number): string => `${Math.round((bytes / MB) * 10) / 10} MB`;

const channelNames: Record<ChannelType, string> = { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Web chat', api: 'API' };
export const channelName = (channel: ChannelType): string => channelNames[channel] ?? channel;

/** What a channel takes, for a person: "images (JPG, PNG) up to 5 MB; …". */
export function takenBy(channel: ChannelType): string {
  return attachmentRules[channel]
    .map((r) => {
      const extensions = Object.entries(typeOfExtension)
        .filter(([, type]) => r.mimeTypes.includes(type))
        .map(([ext]) => ext.toUpperCase());
      return `${r.kind === 'audio' ? 'audio' : `${r.kind}s`} (${extensions.join(', ')}) up to ${megabytes(r.maxBytes)}`;
    })
    .join('; ');
}

/** D15: why `file` cannot go to a conversation on `channel`, or undefined when it may be uploaded. */
export function refusalOf(channel: ChannelType, file: { name: string; type: string; size: number }): string | undefined {
  const extension = /\.([^./\\]+)$/.exec(file.name)?.[1]?.toLowerCase();
  const type = extension === undefined ? file.type : typeOfExtension[extension];
  const where = `${channelName(channel)} conversation`;
  if (extension !== undefined && type === undefined) return `A ${where} does not take .${extension} files. It takes ${takenBy(channel)}.`;
  if (file.size === 0) return `"${file.name}" is empty.`;
  if (extension === undefined && !type) {
    // No name to go by: the server tells the type from the bytes; only the size can be checked here.
    const largest = Math.max(...attachmentRules[channel].map((r) => r.maxBytes));
    return file.size > largest ? `"${file.name}" is ${megabytes(file.size)}; a ${where} takes files up to ${megabytes(largest)}.` : undefined;
  }
  const rule = type ? attachmentRules[channel].find((r) => r.mimeTypes.includes(type)) : undefined;
  if (!rule) return `A ${where} does not take ${extension ? `.${extension}` : 'this type of'} files. It takes ${takenBy(channel)}.`;
  if (file.size > rule.maxBytes) return `"${file.name}" is ${megabytes(file.size)}; a ${where} takes ${rule.kind === 'audio' ? 'audio' : `${rule.kind}s`} up to ${megabytes(rule.maxBytes)}.`;
  return undefined;
}
