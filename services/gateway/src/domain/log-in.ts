import type { LoginBody, OperatorView } from '@relaydesk/contracts';
import { AppError, RateLimitedError } from '@relaydesk/service-kit';
import type { AccessTokens } from '../auth/access-tokens';
import type { LoginLimiter } from '../auth/login-limiter';
import type { Passwords } from '../auth/passwords';
import type { OperatorRepository } from '../store/operator.repository';
import { viewOf } from './operator';

export type LogInDeps = {
  operators: Pick<OperatorRepository, 'findCredentials'>;
  passwords: Pick<Passwords, 'verify'>;
  tokens: Pick<AccessTokens, 'issue'>;
  limiter: Pick<LoginLimiter, 'hitAddress' | 'hitEmail' | 'clearEmail'>;
};

export async function logIn(deps: LogInDeps, { email, password }: LoginBody, address: string): Promise<{ accessToken: string; operator: OperatorView }> {
  const addressWait = await deps.limiter.hitAddress(address);
  if (addressWait) throw new RateLimitedError(addressWait, 'Too many login attempts from this address');
  const emailWait = await deps.limiter.hitEmail(email, address);
  if (emailWait) throw new RateLimitedError(emailWait, 'Too many failed logins for this email');

  const found = await deps.operators.findCredentials(email);
  const passwordOk = await deps.passwords.verify(password, found?.passwordHash);
  if (!found || !passwordOk) throw new AppError('unauthorized', 'Email or password is wrong');
  if (!found.operator.active) throw new AppError('unauthorized', 'This operator has been deactivated: ask a super_admin');

  await deps.limiter.clearEmail(email, address);
  return { accessToken: deps.tokens.issue(found.operator.id), operator: viewOf(found.operator) };
}
