import type { NameLookup } from '../store/directory';
import type { Caller } from './authenticate';
import { withPinViews } from './pin-view';

export type Named = { id: string; name?: string } | null;
export type Item = { assignee: Named; group: Named; pin?: { operatorId: string } | null };
type LogState = { assigneeId?: string | null; groupId?: string; pinnedOperatorId?: string | null } | null;
export type LogItem = { actor: Named; from: LogState; to: LogState };
export type MessageItem = { sender: { type: string; id?: string; name?: string } };

/** Fills in the names of operators and groups, which the gateway owns, in what conversation answers. */
export class Names {
  constructor(private readonly directory: NameLookup) {}

  async items<T extends Item>(items: T[], caller: Caller): Promise<T[]> {
    const [operators, groups] = await Promise.all([
      this.directory.operatorNames(items.flatMap((i) => (i.assignee ? [i.assignee.id] : []))),
      this.directory.groupNames(items.flatMap((i) => (i.group ? [i.group.id] : []))),
    ]);
    const named = items.map((i) => ({
      ...i,
      assignee: i.assignee && { id: i.assignee.id, name: operators.get(i.assignee.id) ?? null },
      group: i.group && { id: i.group.id, name: groups.get(i.group.id) ?? null },
    }));
    return withPinViews(this.directory, caller, named);
  }

  /** Names the actor, and in `names` each operator and group the entry's states mention by id. */
  async log<T extends LogItem>(entries: T[]): Promise<(T & { names: Record<string, string | null> })[]> {
    const states = entries.flatMap((e) => [e.from, e.to]).filter((state) => state !== null);
    const ids = (list: (string | null | undefined)[]) => list.filter((id): id is string => typeof id === 'string');
    const [operators, groups] = await Promise.all([
      this.directory.operatorNames(ids([...entries.map((e) => e.actor?.id), ...states.flatMap((state) => [state.assigneeId, state.pinnedOperatorId])])),
      this.directory.groupNames(ids(states.map((state) => state.groupId))),
    ]);
    return entries.map((e) => {
      const mentioned = ids([e.from, e.to].flatMap((state) => [state?.assigneeId, state?.pinnedOperatorId, state?.groupId]));
      const names = Object.fromEntries(mentioned.map((id) => [id, operators.get(id) ?? groups.get(id) ?? null]));
      return { ...e, actor: e.actor && { id: e.actor.id, name: operators.get(e.actor.id) ?? null }, names };
    });
  }

  /** Operators' names by id, for ids an answer carries bare. */
  operators(ids: string[]): Promise<Map<string, string>> {
    return this.directory.operatorNames(ids);
  }

  async messages<T extends MessageItem>(messages: T[]): Promise<T[]> {
    const operators = await this.directory.operatorNames(messages.flatMap((m) => (m.sender.id ? [m.sender.id] : [])));
    return messages.map((m) => (m.sender.id ? { ...m, sender: { ...m.sender, name: operators.get(m.sender.id) ?? null } } : m));
  }
}

