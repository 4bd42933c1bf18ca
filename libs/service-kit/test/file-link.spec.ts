import { AppError } from '../src/errors';
import { signFileLink, verifyFileLink } from '../src/file-link';
import { signIdentity, verifyIdentity } from '../src/identity';

const secret = 'internal-secret-for-tests';
const file = '0193a2c5-f0e1-7a2b-8c3d-4e5f6a7b8c9d';
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'accepted';
};

describe('file links (D23)', () => {
  it('open their one file until they expire', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const link = signFileLink(file, secret, 3600, now);
    expect(refusal(() => verifyFileLink(link, file, secret, now + 3_599_000))).toBe('accepted');
    expect(refusal(() => verifyFileLink(link, file, secret, now + 3_601_000))).toBe('unauthorized: This file link has expired: ask for the transcript again');
    expect(refusal(() => verifyFileLink(link, '0193a2c5-f0e1-7a2b-8c3d-000000000000', secret, now))).toBe('unauthorized: This file link is for another file');
    expect(refusal(() => verifyFileLink(link, file, 'another-secret-entirely', now))).toMatch(/not valid: signature/);
  });

  it('and internal identities are signed apart: neither passes for the other', () => {
    const request = { method: 'GET', path: `/attachments/${file}` };
    const identity = signIdentity({ operatorId: file, role: 'super_admin', permissions: [], groupIds: [] }, secret, request);
    expect(refusal(() => verifyFileLink(identity, file, secret))).toMatch(/not valid: signature/);
    expect(refusal(() => verifyIdentity(signFileLink(file, secret, 60), secret, request))).toMatch(/signature/);
  });
});
