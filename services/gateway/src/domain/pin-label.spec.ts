import { randomUUID } from 'node:crypto';
import { pinLabel } from './pin-label';

describe('pinLabel', () => {
  const holder = { id: randomUUID(), name: 'Anna Petrova' };

  it('D32: the holder sees Detach', () => {
    expect(pinLabel({ operatorId: holder.id, role: 'operator' }, holder)).toBe('Detach');
    expect(pinLabel({ operatorId: holder.id, role: 'super_admin' }, holder)).toBe('Detach');
  });

  it('D32: another operator sees Pinned (NAME)', () => {
    expect(pinLabel({ operatorId: randomUUID(), role: 'operator' }, holder)).toBe('Pinned (Anna Petrova)');
  });

  it('D32: a super_admin who is not the holder sees Detach (assigned to NAME)', () => {
    expect(pinLabel({ operatorId: randomUUID(), role: 'super_admin' }, holder)).toBe('Detach (assigned to Anna Petrova)');
  });
});
