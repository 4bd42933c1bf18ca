import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

const keyOf = (hex: string): Buffer => {
  const key = Buffer.from(hex, 'hex');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes as 64 hex characters');
  return key;
};

/**
 * Channel secrets (platform tokens, webhook secrets) encrypted at rest with AES-256-GCM, so a dump
 * of the database alone does not hand out the keys of every channel. It seals with one key and
 * opens with that one or an earlier one, so the key can change: ingestion reseals at its start
 * what an earlier key sealed (`ChannelRepository.resealStaleSecrets`).
 */
export class SecretBox {
  private readonly key: Buffer;
  /** The key, then the earlier ones it may find values sealed with. */
  private readonly keys: Buffer[];

  /**
   * `key`: 32 bytes as 64 hex characters, or, when absent, derived from the internal secret.
   * `previousKeys`: keys used before it. The derived key always counts as one: setting SECRETS_KEY
   * for the first time must not lose the secrets sealed before.
   */
  constructor(key: string | undefined, internalSecret: string, previousKeys: string[] = []) {
    const derived = Buffer.from(hkdfSync('sha256', internalSecret, 'relaydesk', 'channel secrets', 32));
    this.key = key ? keyOf(key) : derived;
    this.keys = [this.key, ...previousKeys.map(keyOf), ...(key ? [derived] : [])];
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
    for (const key of this.keys) {
      const plain = openWith(key, value);
      if (plain !== undefined) return plain;
    }
    throw new Error('A channel secret is sealed with a key this service does not have: set SECRETS_KEY_PREVIOUS to the SECRETS_KEY it was sealed with');
  }

  isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** Stored in clear, or sealed with an earlier key: to be sealed again with the key. */
  isStale(value: string): boolean {
    return !this.isSealed(value) || openWith(this.key, value) === undefined;
  }
}

/** The plain value, or undefined when `key` did not seal it (or it was tampered with). */
function openWith(key: Buffer, value: string): string | undefined {
  const raw = Buffer.from(value.slice(PREFIX.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
