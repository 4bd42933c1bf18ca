import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(undefined, 'an internal secret of enough length');

  it('seals so that the stored value shows nothing of the secret, and opens it again', () => {
    const sealed = box.seal('EAAG-whatsapp-token-🔑');
    expect(sealed).not.toContain('whatsapp');
    expect(box.seal('same')).not.toBe(box.seal('same'));
    expect(box.open(sealed)).toBe('EAAG-whatsapp-token-🔑');
  });

  it('answers a value from before encryption as it is', () => {
    expect(box.open('plain-old-token')).toBe('plain-old-token');
  });

  it('refuses a sealed value that was tampered with, or sealed with another key', () => {
    const sealed = box.seal('secret');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox('11'.repeat(32), 'x').open(sealed)).toThrow();
  });

  it('opens what an earlier key sealed when given that key, seals with the new one, and says which values are stale', () => {
    const [oldKey, newKey] = ['11'.repeat(32), '22'.repeat(32)];
    const sealedBefore = new SecretBox(oldKey, 'x').seal('bot-token');
    const rotated = new SecretBox(newKey, 'x', [oldKey]);
    expect(rotated.open(sealedBefore)).toBe('bot-token');
    expect(rotated.isStale(sealedBefore)).toBe(true);
    expect(rotated.isStale('plain-old-token')).toBe(true);
    const sealedNow = rotated.seal('bot-token');
    expect(rotated.isStale(sealedNow)).toBe(false);
    expect(() => new SecretBox(oldKey, 'x').open(sealedNow)).toThrow(/SECRETS_KEY_PREVIOUS/);
    expect(() => new SecretBox(newKey, 'x').open(sealedBefore)).toThrow(/sealed with a key this service does not have/);
  });

  it('setting SECRETS_KEY for the first time still opens what the key derived from the internal secret sealed', () => {
    const derived = box.seal('whatsapp-token');
    const keyed = new SecretBox('33'.repeat(32), 'an internal secret of enough length');
    expect(keyed.open(derived)).toBe('whatsapp-token');
    expect(keyed.isStale(derived)).toBe(true);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox('abcd', 'x')).toThrow(/32 bytes/);
    expect(() => new SecretBox(undefined, 'x', ['abcd'])).toThrow(/32 bytes/);
  });
});
