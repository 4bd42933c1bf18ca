import { randomUUID } from 'node:crypto';
import { RateLimitedError, type AppError } from '@relaydesk/service-kit';
import { logIn, type LogInDeps } from './log-in';
import type { Operator } from './operator';

const ann: Operator = { id: randomUUID(), name: 'Ann', email: 'ann@example.com', role: 'operator', permissions: ['analytics.view'], groupIds: [], active: true };

function fakes(wait: { address?: number; email?: number } = {}, operator: Operator = ann) {
  const calls: string[] = [];
  const deps: LogInDeps = {
    operators: { findCredentials: (email) => Promise.resolve(email === operator.email ? { operator, passwordHash: 'hash:right password' } : undefined) },
    passwords: {
      verify: (password, hash) => {
        calls.push('verify');
        return Promise.resolve(hash === `hash:${password}`);
      },
    },
    tokens: { issue: (id) => `token-of-${id}` },
    limiter: {
      hitAddress: () => Promise.resolve(wait.address),
      hitEmail: () => Promise.resolve(wait.email),
      clearEmail: (email) => {
        calls.push(`clear ${email}`);
        return Promise.resolve();
      },
    },
  };
  return { deps, calls };
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

describe('logIn', () => {
  it('answers a token and the operator, and clears the failure count', async () => {
    const { deps, calls } = fakes();
    await expect(logIn(deps, { email: ann.email, password: 'right password' }, '10.0.0.1')).resolves.toEqual({
      accessToken: `token-of-${ann.id}`,
      operator: ann,
    });
    expect(calls).toContain(`clear ${ann.email}`);
  });

  it('answers one message for an unknown email and a wrong password, after checking a password either way', async () => {
    const { deps, calls } = fakes();
    const unknown = await errorOf(logIn(deps, { email: 'bob@example.com', password: 'right password' }, '10.0.0.1'));
    const wrong = await errorOf(logIn(deps, { email: ann.email, password: 'wrong password' }, '10.0.0.1'));
    expect([unknown.code, wrong.code]).toEqual(['unauthorized', 'unauthorized']);
    expect(unknown.message).toBe(wrong.message);
    expect(calls.filter((c) => c === 'verify')).toHaveLength(2);
    expect(calls.some((c) => c.startsWith('clear'))).toBe(false);
  });

  it('refuses a deactivated operator, saying so only to one who knows the password, and issues no token', async () => {
    const { deps, calls } = fakes({}, { ...ann, active: false });
    const refused = await errorOf(logIn(deps, { email: ann.email, password: 'right password' }, '10.0.0.1'));
    expect([refused.code, refused.message]).toEqual(['unauthorized', 'This operator has been deactivated: ask a super_admin']);
    const guessed = await errorOf(logIn(deps, { email: ann.email, password: 'a guess' }, '10.0.0.1'));
    expect(guessed.message).toBe('Email or password is wrong');
    expect(calls.some((c) => c.startsWith('clear'))).toBe(false);
  });

  it('refuses with the wait, without checking the password, when an address or an email is over its limit', async () => {
    for (const wait of [{ address: 42 }, { email: 42 }]) {
      const { deps, calls } = fakes(wait);
      const error = await errorOf(logIn(deps, { email: ann.email, password: 'right password' }, '10.0.0.1'));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterSeconds).toBe(42);
      expect(calls).toEqual([]);
    }
  });
});
