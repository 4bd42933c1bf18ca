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

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox('abcd', 'x')).toThrow(/32 bytes/);
  });
});
