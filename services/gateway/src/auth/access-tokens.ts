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
    // iat_ms: the issue time to the millisecond, so a password change refuses exactly the tokens before it.
    return jwt.sign({ iat_ms: Date.now() }, this.secret, { algorithm, subject: operatorId, expiresIn: this.ttlSeconds });
  }

  /** Whom the token was issued to and when (epoch ms); `unauthorized` saying why when it cannot be trusted. */
  verify(token: string): { operatorId: string; issuedAtMs: number } {
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
    const issuedAtMs = typeof claims === 'string' ? 0 : typeof claims['iat_ms'] === 'number' ? claims['iat_ms'] : (claims.iat ?? 0) * 1000;
    return { operatorId: subject!, issuedAtMs };
  }
}
