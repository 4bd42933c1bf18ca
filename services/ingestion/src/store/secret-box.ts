import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Channel secrets (platform tokens, webhook secrets) encrypted at rest with AES-256-GCM, so a dump
 * of the database alone does not hand out the keys of every channel.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `key`: 32 bytes as 64 hex characters, or, when absent, derived from the internal secret. */
  constructor(key: string | undefined, internalSecret: string) {
    this.key = key ? Buffer.from(key, 'hex') : Buffer.from(hkdfSync('sha256', internalSecret, 'relaydesk', 'channel secrets', 32));
    if (this.key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes as 64 hex characters');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  /** Opens a sealed value; a value stored before encryption existed is answered as it is. */
  open(value: string): string {
    if (!this.isSealed(value)) return value;
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }
}
