import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { RequestHandler, Response } from 'express';
import type { AccessTokenClaims, AccessTokens } from '../auth/access-tokens';
import { callerOfOperator, type Caller, type Operator } from '../domain/operator';
import type { OperatorRepository } from '../store/operator.repository';

export type { Caller };

export type AuthenticateDeps = {
  tokens: Pick<AccessTokens, 'verify'>;
  operators: Pick<OperatorRepository, 'findCached'>;
};

const bearer = /^Bearer +(\S+)$/i;

/** Accepts only requests with `Authorization: Bearer <access token>` of an operator who still exists. */
export function authenticate(deps: AuthenticateDeps): RequestHandler {
  return async (req, res, next) => {
    const header = req.header('authorization');
    if (!header) throw new AppError('unauthorized', 'Missing access token: send Authorization: Bearer <token>');
    const token = bearer.exec(header)?.[1];
    if (!token) throw new AppError('unauthorized', 'Malformed Authorization header: expected Bearer <token>');
    const claims = deps.tokens.verify(token);
    res.locals['caller'] = callerOfOperator(await operatorOfClaims(deps, claims));
    res.locals['accessToken'] = claims;
    next();
  };
}

/** The operator an access token speaks for, while he exists and the token was neither logged out nor issued before a password change. */
export function operatorOfToken(deps: AuthenticateDeps, token: string): Promise<Operator> {
  return operatorOfClaims(deps, deps.tokens.verify(token));
}

async function operatorOfClaims(deps: Pick<AuthenticateDeps, 'operators'>, { operatorId, issuedAtMs, tokenId }: AccessTokenClaims): Promise<Operator> {
  const operator = await deps.operators.findCached(operatorId);
  if (!operator) throw new AppError('unauthorized', 'The operator of this access token no longer exists');
  if (!operator.active) throw new AppError('unauthorized', 'This operator has been deactivated');
  if (operator.tokensValidAfter && issuedAtMs < operator.tokensValidAfter.getTime()) {
    throw new AppError('unauthorized', 'This access token is no longer valid: the password changed, the operator was deactivated or logged out everywhere after it was issued; log in again');
  }
  if (tokenId && operator.revokedTokenIds?.includes(tokenId)) throw new AppError('unauthorized', 'This access token was logged out; log in again');
  return operator;
}

/** The caller that `authenticate` loaded, with his current role, permissions (D1) and groups. */
export function callerOf(res: Response): Caller {
  const caller = res.locals['caller'] as Caller | undefined;
  if (!caller) throw new AppError('unauthorized', 'This route needs an authenticated caller');
  return caller;
}

/** The claims of the access token that `authenticate` accepted. */
export function accessTokenOf(res: Response): AccessTokenClaims {
  const claims = res.locals['accessToken'] as AccessTokenClaims | undefined;
  if (!claims) throw new AppError('unauthorized', 'This route needs an authenticated caller');
  return claims;
}

/** What `signIdentity` may carry to internal services: exactly a CallerIdentity, nothing more. */
export function identityOfCaller({ operatorId, role, permissions, groupIds }: Caller): CallerIdentity {
  return { operatorId, role, permissions, groupIds };
}
