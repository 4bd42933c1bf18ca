import { AppError } from '@relaydesk/service-kit';
import type { Channel } from '../store/channel.repository';
import { checkOrigin, sameSecret } from './channel-access';

const channel = (allowedOrigins: string[]): Channel => ({ id: '0190e1d2-0000-7000-8000-000000000001', type: 'webchat', name: 'Shop chat', groupId: '0190e1d2-0000-7000-8000-000000000002', settings: { allowedOrigins }, enabled: true });
const own = 'http://127.0.0.1:8081';
const refusal = (origin: string | undefined, allowed: string[]): unknown => {
  try {
    checkOrigin(channel(allowed), origin, own);
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : error;
  }
};

describe('checkOrigin', () => {
  it('lets the channel’s origins (given with or without a path), ingestion’s own and a request without Origin through', () => {
    expect(refusal('https://shop.example', ['https://shop.example/help/'])).toBeUndefined();
    expect(refusal('https://shop.example:8443', ['https://shop.example:8443'])).toBeUndefined();
    expect(refusal(own, [])).toBeUndefined();
    expect(refusal(undefined, [])).toBeUndefined();
  });

  it('refuses other origins, look-alikes, another scheme or port, and the opaque origin "null"', () => {
    for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'http://shop.example', 'https://shop.example:444', 'null', 'https://SHOP.example/']) {
      expect([origin, refusal(origin, ['https://shop.example'])]).toEqual([origin, 'forbidden']);
    }
  });
});

describe('sameSecret', () => {
  it('D33: takes the channel’s secret only, and refuses a missing one, a prefix, a longer one and a channel without a secret', () => {
    expect(sameSecret('verify-me', 'verify-me')).toBe(true);
    expect(sameSecret(undefined, 'verify-me')).toBe(false);
    expect(sameSecret('verify', 'verify-me')).toBe(false);
    expect(sameSecret('verify-me-too', 'verify-me')).toBe(false);
    expect(sameSecret('verify-me', undefined)).toBe(false);
  });
});
