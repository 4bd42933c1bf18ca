import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '@relaydesk/contracts';
import { assertMayChangeCanned, canSeeCanned, likePrefix, lookupPrefix, scopeFor } from './canned-response-rules';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';
import { sortKey } from './list-canned-responses';

const operator = (): CallerIdentity => ({ operatorId: randomUUID(), role: 'operator', permissions: [], groupIds: [] });
const superAdmin = (): CallerIdentity => ({ operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] });
const code = (code: string) => expect.objectContaining({ code });

describe('canned response rules', () => {
  it('D16: a super_admin writes global canned responses, an operator personal ones', () => {
    expect(scopeFor(superAdmin())).toBe('global');
    expect(scopeFor(operator())).toBe('personal');
  });

  it('D16: everyone sees global ones; a personal one only its owner, not even a super_admin', () => {
    const ann = operator();
    const global = { scope: 'global', ownerId: randomUUID() } as const;
    const anns = { scope: 'personal', ownerId: ann.operatorId } as const;
    expect(canSeeCanned(ann, global)).toBe(true);
    expect(canSeeCanned(ann, anns)).toBe(true);
    expect(canSeeCanned(operator(), anns)).toBe(false);
    expect(canSeeCanned(superAdmin(), anns)).toBe(false);
  });

  it('D16: owners change their own; any super_admin changes a global one', () => {
    const ann = operator();
    const admin = superAdmin();
    expect(() => assertMayChangeCanned(ann, { scope: 'personal', ownerId: ann.operatorId })).not.toThrow();
    expect(() => assertMayChangeCanned(admin, { scope: 'global', ownerId: admin.operatorId })).not.toThrow();
    expect(() => assertMayChangeCanned(superAdmin(), { scope: 'global', ownerId: admin.operatorId })).not.toThrow();
  });

  it('D16: an operator touching a global one gets 403, a colleague’s personal one or a missing one 404 (D34)', () => {
    const ann = operator();
    expect(() => assertMayChangeCanned(ann, { scope: 'global', ownerId: randomUUID() })).toThrow(code('forbidden'));
    expect(() => assertMayChangeCanned(ann, { scope: 'global', ownerId: ann.operatorId })).toThrow(code('forbidden'));
    expect(() => assertMayChangeCanned(ann, { scope: 'personal', ownerId: randomUUID() })).toThrow(code('not_found'));
    expect(() => assertMayChangeCanned(superAdmin(), { scope: 'personal', ownerId: ann.operatorId })).toThrow(code('not_found'));
    expect(() => assertMayChangeCanned(ann, undefined)).toThrow(code('not_found'));
  });

  it('D16: one leading / or \\ opens the lookup and is not part of the prefix', () => {
    expect(lookupPrefix('/gre')).toBe('gre');
    expect(lookupPrefix('\\gre')).toBe('gre');
    expect(lookupPrefix('gre')).toBe('gre');
    expect(lookupPrefix('//gre')).toBe('/gre');
    expect(lookupPrefix('\\\\')).toBe('\\');
    expect(lookupPrefix('/')).toBe('');
    expect(lookupPrefix(undefined)).toBe('');
    expect(lookupPrefix('a/b')).toBe('a/b');
  });

  it('D16: the prefix becomes a LIKE pattern whose %, _ and \\ are literal (D33)', () => {
    expect(likePrefix('gre')).toBe('gre%');
    expect(likePrefix('50%_off\\')).toBe('50\\%\\_off\\\\%');
    expect(likePrefix('привет 👋')).toBe('привет 👋%');
  });

  it('D16: a list cursor round-trips; one of another lookup, or garbage, is refused naming cursor (D33)', () => {
    const at = { key: 'greeting', id: randomUUID() };
    expect(decodeCursor(encodeCursor(at, 'gre'), 'gre', { key: sortKey })).toEqual(at);
    expect(decodeCursor(undefined, 'gre', { key: sortKey })).toBeUndefined();
    for (const bad of ['x', encodeCursor(at, 'other'), Buffer.from('[1,2,"gre"]').toString('base64url')]) {
      expect(() => decodeCursor(bad, 'gre', { key: sortKey })).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'cursor' })] }));
    }
  });
});
