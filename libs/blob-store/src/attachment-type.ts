import { attachmentRules, megabytes, mimeTypeOfExtension, officeTypes, ruleFor, type ChannelType } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { Sniffed } from './sniff';

const { doc, docx, xls, xlsx, ppt, pptx } = officeTypes;

/** Content that is a container of the named type: OOXML files are zips, old Office files CFB. */
const containerOf: Record<string, string[]> = { 'application/zip': [docx, xlsx, pptx], 'application/x-cfb': [doc, xls, ppt] };

const unsupported = (message: string): AppError => new AppError('unsupported_media_type', message, [{ path: 'file', message }]);

/**
 * D15: a file's type comes from its bytes, never from the part's Content-Type; its name's extension
 * must agree with them, and the conversation's channel must take that type. Answers the type and
 * the size the channel allows for it.
 */
export function decideAttachmentType(channel: ChannelType, fileName: string, sniffed: Sniffed): { mimeType: string; maxBytes: number } {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  const named = extension === undefined ? undefined : mimeTypeOfExtension[extension];
  if (extension !== undefined && named === undefined) throw unsupported(`Files named .${extension} are not taken; send ${takenBy(channel)}`);
  if (sniffed === undefined) throw unsupported(`The type of "${fileName}" cannot be told from its content; send ${takenBy(channel)}`);

  let mimeType: string;
  if (sniffed === 'text') {
    if (named !== undefined && !named.startsWith('text/')) throw mismatch(fileName, 'plain text', named);
    mimeType = named ?? 'text/plain';
  } else {
    if (named !== undefined && named !== sniffed.mimeType && !containerOf[sniffed.mimeType]?.includes(named)) throw mismatch(fileName, sniffed.mimeType, named);
    mimeType = named ?? sniffed.mimeType;
  }

  const rule = ruleFor(channel, mimeType);
  if (!rule) throw unsupported(`A ${channel} conversation does not take ${mimeType} files; send ${takenBy(channel)}`);
  return { mimeType, maxBytes: rule.maxBytes };
}

function mismatch(fileName: string, content: string, named: string): AppError {
  return unsupported(`The content of "${fileName}" is ${content}, not the ${named} its name says`);
}

function takenBy(channel: ChannelType): string {
  return attachmentRules[channel].map((r) => `${r.kind} (${r.mimeTypes.join(', ')}) up to ${megabytes(r.maxBytes)}`).join('; ');
}


/** The name the file is kept and sent under: its last path segment, without control characters. */
export function cleanFileName(original: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const name = (original ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (name === '' || name.length > 255) {
    const message = name === '' ? 'needs a file name' : 'has a name longer than 255 characters';
    throw new AppError('validation_failed', `The file ${message}`, [{ path: 'file', message }]);
  }
  return name;
}
