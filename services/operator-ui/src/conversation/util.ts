import { ApiError, type Api } from '../api/client';

/** An Idempotency-Key: one per message, kept across retries (D15). Works outside secure contexts too. */
export function newKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // not a secure context: fall through
    }
  }
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What went wrong, for a person: the server's own message when it gave one. */
export const messageOf = (error: unknown): string =>
  error instanceof ApiError ? error.message : error instanceof Error && error.message ? error.message : 'Something went wrong; try again';

/** A refusal the server decided (4xx): the request certainly changed nothing. */
export const refused = (error: unknown): boolean => error instanceof ApiError && error.status >= 400 && error.status < 500;

/**
 * An attachment's `url` (`/api/v1/attachments/<id>`) as a Blob. GET /attachments/:id needs the
 * Authorization header, so an <img src> cannot load it: it is fetched with the session's token
 * and shown from a blob URL.
 */
export function fetchBlob(api: Api, url: string): Promise<Blob> {
  return api.blob(url.replace(/^\/api\/v1/, ''));
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/** A message's or a log entry's time: hours and minutes today, with the day this year, with the year before. */
export function messageTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  if (at.toDateString() === now.toDateString()) return time.format(at);
  return (at.getFullYear() === now.getFullYear() ? dayAndTime : dateAndTime).format(at);
}

export const fullTime = (iso: string): string => {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : full.format(at);
};

export const humanSize = (bytes: number): string =>
  bytes >= 1_000_000 ? `${Math.round(bytes / 100_000) / 10} MB` : bytes >= 1_000 ? `${Math.round(bytes / 100) / 10} kB` : `${bytes} B`;

const address = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * D23: the addresses in what an operator typed as recipients: separated by commas, semicolons,
 * lines or spaces, each bare or as `Name <address>`; `bad` is the first entry that is none.
 */
export function recipientsOf(typed: string): { addresses: string[]; bad?: string } {
  const entries = typed.split(/[,;\n]+/).flatMap((part) => (part.includes('<') ? [part.trim()] : part.trim().split(/\s+/)));
  const addresses: string[] = [];
  for (const entry of entries.filter(Boolean)) {
    const named = entry.match(/<([^<>]*)>\s*$/);
    const candidate = (named ? named[1]! : entry).trim();
    if (!address.test(candidate)) return { addresses, bad: entry };
    addresses.push(candidate);
  }
  return { addresses };
}

