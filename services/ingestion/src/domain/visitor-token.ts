import { randomUUID } from 'node:crypto';
import { AppError, signToken, verifyToken } from '@relaydesk/service-kit';
import { z } from 'zod';

const TTL_SECONDS = 30 * 24 * 3600;
const claims = z.object({ channelId: z.string(), visitorId: z.string(), name: z.string() });
export type Visitor = z.infer<typeof claims>;

/** A webchat visitor: an id of his own and a token the widget sends with each message. */
export function newVisitor(channelId: string, name: string, secret: string): Visitor & { token: string } {
  const visitor = { channelId, visitorId: randomUUID(), name };
  return { ...visitor, token: signToken(visitor, secret, TTL_SECONDS) };
}

export function verifyVisitor(authorization: string | undefined, channelId: string, secret: string): Visitor {
  const token = verifyToken(authorization?.replace(/^Bearer /i, ''), secret);
  const visitor = token.ok ? claims.safeParse(token.claims) : undefined;
  if (!visitor?.success || visitor.data.channelId !== channelId) throw new AppError('unauthorized', `Visitor token refused: ${token.ok ? 'not for this channel' : token.reason}`);
  return visitor.data;
}
