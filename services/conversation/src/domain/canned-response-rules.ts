import type { CallerIdentity, CannedScope } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';

export type CannedOwnership = { scope: CannedScope; ownerId: string };

/** D16: a super_admin writes for everyone, an operator for himself. */
export const scopeFor = (c: CallerIdentity): CannedScope => (c.role === 'super_admin' ? 'global' : 'personal');

/** D16, D34: global ones are everyone's; a personal one only its owner's (a super_admin's included). */
export const canSeeCanned = (c: CallerIdentity, r: CannedOwnership): boolean => r.scope === 'global' || r.ownerId === c.operatorId;

/** D16, D34: owners change their own, only a super_admin a global one; 404 for what one may not see, 403 for what one may not change. */
export function assertMayChangeCanned(c: CallerIdentity, r: CannedOwnership | undefined): asserts r is CannedOwnership {
  if (!r || !canSeeCanned(c, r)) throw new AppError('not_found', 'No such canned response');
  if (r.scope === 'global' && c.role !== 'super_admin') throw new AppError('forbidden', 'Only a super_admin can change or delete a global canned response');
}

/** D16: the UI sends what follows the `/` or `\` that opens the lookup; one such trigger is not part of the prefix. */
export const lookupPrefix = (q: string | undefined): string => (q ?? '').replace(/^[/\\]/, '');

/** A LIKE pattern matching strings that start with `prefix`, its `%`, `_` and `\` taken literally. */
export const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
