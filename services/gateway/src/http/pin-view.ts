import { pinLabel } from '../domain/pin-label';
import type { NameLookup } from '../store/directory';
import type { Caller } from './authenticate';

type Pinned = { pin?: { operatorId: string } | null };

/** Turns the services' `pin: {operatorId}` into `pin: {operator: {id, name}, label}` for this caller (D32). */
export async function withPinViews<T extends Pinned>(directory: NameLookup, caller: Caller, items: T[]): Promise<T[]> {
  const names = await directory.operatorNames(items.flatMap((i) => (i.pin ? [i.pin.operatorId] : [])));
  return items.map((i) => {
    if (!i.pin) return i;
    const holder = { id: i.pin.operatorId, name: names.get(i.pin.operatorId) ?? 'a former operator' };
    return { ...i, pin: { operator: holder, label: pinLabel(caller, holder) } };
  });
}
