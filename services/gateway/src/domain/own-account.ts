import type { ChangePasswordBody, LogoutBody } from '@relaydesk/contracts';
import { AppError, RateLimitedError } from '@relaydesk/service-kit';
import type { AccessTokenClaims, AccessTokens } from '../auth/access-tokens';
import type { LoginLimiter } from '../auth/login-limiter';
import type { Passwords } from '../auth/passwords';
import type { OperatorRepository } from '../store/operator.repository';
import { announceOperatorChanged, type AnnounceDeps } from './announce-operator-changed';
import type { Caller } from './operator';

export type OwnAccountDeps = AnnounceDeps & {
  operators: Pick<OperatorRepository, 'findCredentials' | 'update' | 'revokeToken'>;
  passwords: Pick<Passwords, 'verify' | 'hash'>;
  tokens: Pick<AccessTokens, 'issue'>;
  limiter: Pick<LoginLimiter, 'hitEmail' | 'clearEmail'>;
};

/** Ends the session of the token sent, or with `everywhere` every session of the caller. */
export async function logOut(deps: OwnAccountDeps, caller: Caller, token: AccessTokenClaims, { everywhere }: LogoutBody): Promise<void> {
  if (everywhere || !token.tokenId) await deps.operators.update(caller.operatorId, { revokeTokens: true });
  else await deps.operators.revokeToken(caller.operatorId, token.tokenId, new Date(token.expiresAtMs));
  await announceOperatorChanged(deps, caller.operatorId);
}

/**
 * The caller's own password, given the current one; wrong guesses count as failed logins do, so a
 * stolen token cannot try passwords faster than the login page. Every other session ends; the
 * answer is the token of this one.
 */
export async function changeOwnPassword(deps: OwnAccountDeps, caller: Caller, body: ChangePasswordBody, address: string): Promise<{ accessToken: string }> {
  const wait = await deps.limiter.hitEmail(caller.email, address);
  if (wait) throw new RateLimitedError(wait, 'Too many wrong passwords for this operator');
  const found = await deps.operators.findCredentials(caller.email);
  if (!found || !(await deps.passwords.verify(body.currentPassword, found.passwordHash))) throw new AppError('forbidden', 'The current password is wrong');
  await deps.limiter.clearEmail(caller.email, address);
  await deps.operators.update(caller.operatorId, { passwordHash: await deps.passwords.hash(body.newPassword) });
  const accessToken = deps.tokens.issue(caller.operatorId);
  await announceOperatorChanged(deps, caller.operatorId);
  return { accessToken };
}
