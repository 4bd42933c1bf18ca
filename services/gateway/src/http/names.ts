import type { NameLookup } from '../store/directory';
import type { Caller } from './authenticate';
import { withPinViews } from './pin-view';

export type Named = { id: string; name?: string } | null;
export type Item = { assignee: Named; group: Named; pin?: { operatorId: string } | null };
export type LogItem = { actor: Named };
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

  async log<T extends LogItem>(entries: T[]): Promise<T[]> {
    const operators = await this.directory.operatorNames(entries.flatMap((e) => (e.actor ? [e.actor.id] : [])));
    return entries.map((e) => ({ ...e, actor: e.actor && { id: e.actor.id, name: operators.get(e.actor.id) ?? null } }));
  }

  async messages<T extends MessageItem>(messages: T[]): Promise<T[]> {
    const operators = await this.directory.operatorNames(messages.flatMap((m) => (m.sender.id ? [m.sender.id] : [])));
    return messages.map((m) => (m.sender.id ? { ...m, sender: { ...m.sender, name: operators.get(m.sender.id) ?? null } } : m));
  }
}

