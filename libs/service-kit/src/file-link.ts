import { createHmac } from 'node:crypto';
import { AppError } from './errors';
import { signToken, verifyToken } from './signed-token';

/** File links have a key of their own, so a link cannot pass for an identity header, nor the other way round. */
const linkKey = (secret: string): string => createHmac('sha256', secret).update('relaydesk file link').digest('base64url');

/** A token that opens one attachment without logging in, for `ttlSeconds`: the files a transcript mail links to (D23). */
export const signFileLink = (attachmentId: string, secret: string, ttlSeconds: number, now = Date.now()): string => signToken({ attachmentId }, linkKey(secret), ttlSeconds, now);

/** Refuses (401) a file link that is forged, expired or made for another attachment. */
export function verifyFileLink(token: string, attachmentId: string, secret: string, now = Date.now()): void {
  const verified = verifyToken(token, linkKey(secret), now);
  if (!verified.ok) throw new AppError('unauthorized', verified.reason === 'expired' ? 'This file link has expired: ask for the transcript again' : `This file link is not valid: ${verified.reason}`);
  if ((verified.claims as { attachmentId?: unknown }).attachmentId !== attachmentId) throw new AppError('unauthorized', 'This file link is for another file');
}
