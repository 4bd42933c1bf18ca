import { callerIdentity, type CallerIdentity } from '@relaydesk/contracts';
import { AppError } from './errors';
import { signToken, verifyToken } from './signed-token';

const TTL_SECONDS = 60;

/** The gateway's word on who calls, for services; valid for a minute. */
export const signIdentity = (identity: CallerIdentity, secret: string, now = Date.now()): string => signToken(identity, secret, TTL_SECONDS, now);

export function verifyIdentity(header: string | undefined, secret: string, now = Date.now()): CallerIdentity {
  const token = verifyToken(header, secret, now);
  if (!token.ok) throw new AppError('unauthorized', `Internal identity refused: ${token.reason}`);
  const parsed = callerIdentity.safeParse(token.claims);
  if (!parsed.success) throw new AppError('unauthorized', 'Internal identity refused: bad shape');
  return parsed.data;
}
