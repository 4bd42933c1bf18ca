import { isUtf8 } from 'node:buffer';
import { fromBuffer } from 'file-type';

/** How much of a file the type is told from. */
export const SNIFF_BYTES = 4100;

/** The sniffer's names for types the channels name otherwise. */
const aliases: Record<string, string> = { 'audio/x-m4a': 'audio/mp4', 'audio/opus': 'audio/ogg', 'application/ogg': 'audio/ogg', 'audio/3gpp': 'video/3gpp' };

/** What a file's first bytes say it is: a binary type, plain text, or nothing we can tell. */
export type Sniffed = { mimeType: string } | 'text' | undefined;

export async function sniff(head: Buffer): Promise<Sniffed> {
  const found = await fromBuffer(head);
  if (found) return { mimeType: aliases[found.mime] ?? found.mime };
  return looksLikeText(head) ? 'text' : undefined;
}

/** UTF-8 without NUL bytes; the head may end inside a character. */
function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  for (let cut = 0; cut < 4 && cut < head.length; cut++) if (isUtf8(head.subarray(0, head.length - cut))) return true;
  return false;
}
