// D15's attachment rules as plain data, without zod: the operator web app bundles this module too.
import type { ChannelType } from './primitives';

/** Decimal megabytes: a little under what a channel that counts in MiB allows, never over. */
const MB = 1_000_000;

/** A size for a person, in the decimal megabytes the limits are set in: "4.5 MB". */
export const megabytes = (bytes: number): string => `${Math.round((bytes / MB) * 10) / 10} MB`;

export type AttachmentRule = { kind: 'image' | 'video' | 'audio' | 'document'; mimeTypes: readonly string[]; maxBytes: number };

const pdf = 'application/pdf';
const text = ['text/plain', 'text/csv'] as const;
const office = [
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;
const webImages = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/**
 * D15: what each channel takes, by type, and up to which size. WhatsApp Cloud API: images 5 MB
 * (JPEG, PNG), video and audio 16 MB, documents 100 MB. Telegram Bot API: bots upload up to 50 MB
 * (photos up to 10 MB). Webchat: our own widget, 10 MB. `api`: custom connectors, 25 MB.
 */
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

export const ruleFor = (channel: ChannelType, mimeType: string): AttachmentRule | undefined =>
  attachmentRules[channel].find((r) => r.mimeTypes.includes(mimeType));

/** The most any file may have on `channel`: where an upload stops before its type is known. */
export const largestAttachment = (channel: ChannelType): number => Math.max(...attachmentRules[channel].map((r) => r.maxBytes));

const [doc, docx, xls, xlsx, ppt, pptx] = office;
/** Office files by their old and OOXML names: the gateway tells them apart by their containers (CFB, zip). */
export const officeTypes = { doc, docx, xls, xlsx, ppt, pptx } as const;

/** The type each file extension we take promises (D15): the gateway checks a file's bytes against it, the web app refuses before upload. */
export const mimeTypeOfExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  doc,
  docx,
  xls,
  xlsx,
  ppt,
  pptx,
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

/** The file extensions of the types given (by default all `channel` takes), for a file picker's accept. */
export const fileExtensionsTaken = (channel: ChannelType, mimeTypes: readonly string[] = attachmentRules[channel].flatMap((r) => r.mimeTypes)): string[] =>
  Object.entries(mimeTypeOfExtension)
    .filter(([, type]) => mimeTypes.includes(type))
    .map(([extension]) => extension);

/** What a file picker for a conversation on `channel` offers, ".png,.jpg,…": a hint, since every file is checked on arrival. */
export const fileAccept = (channel: ChannelType): string =>
  fileExtensionsTaken(channel)
    .map((extension) => `.${extension}`)
    .join(',');
