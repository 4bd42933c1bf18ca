import { attachmentRules, fileExtensionsTaken, megabytes, mimeTypeOfExtension } from '@relaydesk/contracts/attachment-rules';
import type { ChannelType } from '../api/types';
import { CHANNEL_NAME } from '../workspace/format';

export const channelName = (channel: ChannelType): string => CHANNEL_NAME[channel] ?? channel;

/** What a channel takes, for a person: "images (JPG, PNG) up to 5 MB; …". */
export function takenBy(channel: ChannelType): string {
  return attachmentRules[channel]
    .map((r) => {
      const extensions = fileExtensionsTaken(channel, r.mimeTypes).map((e) => e.toUpperCase());
      return `${r.kind === 'audio' ? 'audio' : `${r.kind}s`} (${extensions.join(', ')}) up to ${megabytes(r.maxBytes)}`;
    })
    .join('; ');
}

/** D15: why `file` cannot go to a conversation on `channel`, or undefined when it may be uploaded. */
export function refusalOf(channel: ChannelType, file: { name: string; type: string; size: number }): string | undefined {
  const extension = /\.([^./\\]+)$/.exec(file.name)?.[1]?.toLowerCase();
  const type = extension === undefined ? file.type : mimeTypeOfExtension[extension];
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
