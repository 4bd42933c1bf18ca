import { describe, expect, it } from 'vitest';
import { pinLabel } from './format';

describe('pinLabel', () => {
  it('D32: a row says whose client it is; the control\'s "Detach" words stay on the control', () => {
    const anna = { id: 'o1', name: 'Anna' };
    expect(pinLabel({ pin: null })).toBeUndefined();
    expect(pinLabel({ pin: { operator: anna, label: 'Detach' } })).toBe('Pinned to me');
    expect(pinLabel({ pin: { operator: anna, label: 'Pinned (Anna)' } })).toBe('Pinned (Anna)');
    expect(pinLabel({ pin: { operator: anna, label: 'Detach (assigned to Anna)' } })).toBe('Pinned (Anna)');
    expect(pinLabel({ pin: { operator: { id: 'o2', name: null }, label: 'Pinned (?)' } })).toBe('Pinned (a former operator)');
  });
});
