import { uuid } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const algorithm = 'HS256';

/** What a verified access token says: whom it speaks for, when it was issued and expires (epoch ms), and its id. */
export type AccessTokenClaims = { operatorId: string; issuedAtMs: number; expiresAtMs: number; tokenId: string | undefined };

/** JWT access tokens (HS256) whose `sub` is the operator id and `jti` the token's own id, which logging out revokes. */
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
    return jwt.sign({ iat_ms: Date.now() }, this.secret, { algorithm, subject: operatorId, expiresIn: this.ttlSeconds, jwtid: randomUUID() });
  }

  /** The token's claims; `unauthorized` saying why when it cannot be trusted. */
  verify(token: string): AccessTokenClaims {
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: [algorithm] });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AppError('unauthorized', 'Access token has expired; log in again');
      if (error instanceof jwt.NotBeforeError) throw new AppError('unauthorized', 'Access token is not valid yet');
      throw new AppError('unauthorized', `Access token is invalid (${(error as Error).message})`);
    }
    if (typeof claims === 'string' || !uuid.safeParse(claims.sub).success) throw new AppError('unauthorized', 'Access token names no operator');
    const issuedAtMs = typeof claims['iat_ms'] === 'number' ? claims['iat_ms'] : (claims.iat ?? 0) * 1000;
    // Tokens issued before logging out could revoke one token carry no jti: only "everywhere" ends them.
    const tokenId = uuid.safeParse(claims.jti).success ? claims.jti : undefined;
    return { operatorId: claims.sub!, issuedAtMs, expiresAtMs: (claims.exp ?? 0) * 1000, tokenId };
  }
}
