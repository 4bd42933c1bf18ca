import { uuid } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const algorithm = 'HS256';

/** JWT access tokens (HS256) whose `sub` is the operator id. */
export class AccessTokens {
  /** A key object made once: given a string, jsonwebtoken tries it as a public key on every call first. */
  private readonly secret: KeyObject;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(operatorId: string): string {
    return jwt.sign({}, this.secret, { algorithm, subject: operatorId, expiresIn: this.ttlSeconds });
  }

  /** The operator id the token was issued to; `unauthorized` saying why when it cannot be trusted. */
  verify(token: string): string {
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: [algorithm] });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AppError('unauthorized', 'Access token has expired; log in again');
      if (error instanceof jwt.NotBeforeError) throw new AppError('unauthorized', 'Access token is not valid yet');
      throw new AppError('unauthorized', `Access token is invalid (${(error as Error).message})`);
    }
    const subject = typeof claims === 'string' ? undefined : claims.sub;
    if (!uuid.safeParse(subject).success) throw new AppError('unauthorized', 'Access token names no operator');
    return subject!;
  }
}
