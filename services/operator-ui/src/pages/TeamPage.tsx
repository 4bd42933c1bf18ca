import { useId, useState, type FormEvent } from 'react';
import type { Operator, Permission } from '../api/client';
import type { Group, OperatorSummary } from '../api/types';
import { Dialog, FormActions } from '../conversation/Dialog';
import { useSession } from '../session';
import { messageOf, useList } from './common';
import './pages.css';

type TeamMember = Operator & Pick<OperatorSummary, 'presence'>;

const PERMISSIONS: [Permission, string, string][] = [
  ['conversations.view_all', 'Show tab All', 'Show tab All: the All and Blacklist tabs of their groups, and unlocking clients'],
  ['conversations.manage', 'Management', 'Conversations management: the same tabs and unlocking, and handing over conversations colleagues hold'],
  ['analytics.view', 'Analytics', 'Tag analytics of their groups'],
];
const permissionNames = (list: Permission[]) => PERMISSIONS.filter(([p]) => list.includes(p)).map(([, short]) => short).join(', ') || '—';
const ROLE_LABEL: Record<Operator['role'], string> = { operator: 'Operator', super_admin: 'Super admin' };

/** The super_admin's page for the people who answer: groups (D2), and operators with their role, permissions and groups (D1). */
export function TeamPage() {
  const { api, groups, refreshGroups } = useSession();
  const { items: operators, loading, error, load } = useList<TeamMember>(api, '/operators');
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<TeamMember | 'new'>();

  const groupNames = (o: TeamMember) =>
    o.role === 'super_admin' ? 'Every group' : o.groupIds.map((id) => groups.find((g) => g.id === id)?.name ?? 'a deleted group').join(', ') || 'No group: sees every group’s Unassigned';

  const saved = (operator: Operator, created: boolean) => {
    setEditing(undefined);
    setNotice(created ? `Added ${operator.name}. They can log in with the email and password you gave.` : `Saved ${operator.name}.`);
    void load();
  };

  return (
    <main className="page team-page" aria-labelledby="team-heading">
      <h1 id="team-heading">Team</h1>
      <p className="page-hint">Groups decide which conversations an operator sees; permissions open the All and Blacklist tabs and tag analytics.</p>

      <GroupsSection
        groups={groups}
        operators={operators}
        onSaved={async (group, before) => {
          await refreshGroups?.();
          setNotice(before ? `Renamed ${before.name} to ${group.name}.` : `Added the group ${group.name}.`);
        }}
      />

      <section aria-labelledby="operators-heading">
        <div className="team-head">
          <h2 id="operators-heading">Operators</h2>
          <button className="primary" onClick={() => setEditing('new')}>
            Add operator
          </button>
        </div>
        <p role="status" className="muted" aria-live="polite">
          {notice ?? (loading ? 'Loading…' : `${operators.length} operator${operators.length === 1 ? '' : 's'}`)}
        </p>
        {error && (
          <p role="alert" className="error">
            {error} <button onClick={() => void load()}>Try again</button>
          </p>
        )}
        <table className="team-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Groups</th>
              <th scope="col">Permissions</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {operators.map((o) => (
              <tr key={o.id} className={o.active === false ? 'team-inactive' : undefined}>
                <th scope="row">
                  <span dir="auto">{o.name}</span>
                  {o.active === false && <span className="badge"> Deactivated</span>}
                  <span className="muted team-email">
                    {o.email}
                    {o.presence && o.active !== false && ` · ${o.presence}`}
                  </span>
                </th>
                <td>{ROLE_LABEL[o.role]}</td>
                <td dir="auto">{groupNames(o)}</td>
                <td>{o.role === 'super_admin' ? 'All' : permissionNames(o.permissions)}</td>
                <td>
                  <button onClick={() => setEditing(o)} aria-label={`Edit ${o.name}`}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {editing && <OperatorDialog operator={editing === 'new' ? undefined : editing} groups={groups} onClose={() => setEditing(undefined)} onSaved={saved} />}
    </main>
  );
}

/** `before` is the group as it was, when it was renamed rather than added. */
type GroupSaved = (group: Group, before?: Group) => Promise<void>;

function GroupsSection({ groups, operators, onSaved }: { groups: Group[]; operators: TeamMember[]; onSaved: GroupSaved }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [renaming, setRenaming] = useState<Group>();
  const id = useId();

  async function add(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Give the group a name.');
    setBusy(true);
    setError(undefined);
    try {
      await onSaved(await api.post<Group>('/groups', { name: name.trim() }));
      setName('');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Groups</h2>
      <ul className="team-groups">
        {groups.map((g) => {
          const members = operators.filter((o) => o.active !== false && o.groupIds.includes(g.id)).length;
          return (
            <li key={g.id}>
              <span dir="auto">{g.name}</span> <span className="muted">({members} operator{members === 1 ? '' : 's'})</span>{' '}
              <button className="link" onClick={() => setRenaming(g)} aria-label={`Rename ${g.name}`}>
                Rename
              </button>
            </li>
          );
        })}
        {groups.length === 0 && <li className="muted">No groups yet: every operator sees every conversation.</li>}
      </ul>
      <form className="team-add-group" onSubmit={(e) => void add(e)}>
        <label className="field inline">
          <span>New group</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="Billing" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add group'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      {renaming && (
        <RenameGroupDialog
          group={renaming}
          onClose={() => setRenaming(undefined)}
          onRenamed={async (group) => {
            setRenaming(undefined);
            await onSaved(group, renaming);
          }}
        />
      )}
    </section>
  );
}

/** PATCH /groups/:id: conversations, channels and operators keep the group, under its new name. */
function RenameGroupDialog({ group, onClose, onRenamed }: { group: Group; onClose: () => void; onRenamed: (group: Group) => Promise<void> }) {
  const { api } = useSession();
  const [name, setName] = useState(group.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Give the group a name.');
    if (name.trim() === group.name) return onClose();
    setBusy(true);
    setError(undefined);
    try {
      await onRenamed(await api.patch<Group>(`/groups/${group.id}`, { name: name.trim() }));
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Rename ${group.name}`} description="Its conversations, channels and operators stay in it." onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus />
        </label>
        <FormActions error={error} onCancel={onClose} disabled={busy} submit={busy ? 'Saving…' : 'Rename'} />
      </form>
    </Dialog>
  );
}

/** Adds an operator, or changes one: only the fields changed are sent (PATCH /operators/:id). */
/** A lost laptop: every session of the operator ends, his password stays. */
function EndSessions({ operator }: { operator: TeamMember }) {
  const { api } = useSession();
  const [state, setState] = useState<{ busy?: boolean; done?: boolean; error?: string }>({});
  async function endSessions() {
    setState({ busy: true });
    try {
      await api.post(`/operators/${operator.id}/logout`);
      setState({ done: true });
    } catch (e) {
      setState({ error: messageOf(e) });
    }
  }
  return (
    <div className="end-sessions">
      <button type="button" disabled={state.busy} onClick={() => void endSessions()}>
        Log out of every device
      </button>
      {state.done && <p role="status">{operator.name} is logged out everywhere; their password still works.</p>}
      {state.error && (
        <p role="alert" className="error">
          {state.error}
        </p>
      )}
    </div>
  );
}

function OperatorDialog({ operator, groups, onClose, onSaved }: { operator?: TeamMember; groups: Group[]; onClose: () => void; onSaved: (operator: Operator, created: boolean) => void }) {
  const { api, me } = useSession();
  const [active, setActive] = useState(operator?.active !== false);
  const [name, setName] = useState(operator?.name ?? '');
  const [email, setEmail] = useState(operator?.email ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Operator['role']>(operator?.role ?? 'operator');
  const [permissions, setPermissions] = useState<Permission[]>(operator?.permissions ?? []);
  const [groupIds, setGroupIds] = useState<string[]>(operator?.groupIds ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const toggle = <T,>(list: T[], item: T): T[] => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Give a name.');
    if (!email.trim()) return setError('Give an email address.');
    if (!operator && password.trim().length === 0) return setError('Give a password of at least 8 characters.');
    if (password && (password.length < 8 || password.trim().length === 0)) return setError('The password needs at least 8 characters, not only spaces.');
    const body = operator
      ? {
          ...(name.trim() !== operator.name ? { name: name.trim() } : {}),
          ...(email.trim().toLowerCase() !== operator.email ? { email: email.trim() } : {}),
          ...(role !== operator.role ? { role } : {}),
          ...(!same(permissions, operator.permissions) ? { permissions } : {}),
          ...(!same(groupIds, operator.groupIds) ? { groupIds } : {}),
          ...(password ? { password } : {}),
          ...(active !== (operator.active !== false) ? { active } : {}),
        }
      : { name: name.trim(), email: email.trim(), password, role, permissions, groupIds };
    if (Object.keys(body).length === 0) return onClose();
    setBusy(true);
    setError(undefined);
    try {
      onSaved(operator ? await api.patch<Operator>(`/operators/${operator.id}`, body) : await api.post<Operator>('/operators', body), !operator);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <Dialog title={operator ? `Edit ${operator.name}` : 'Add operator'} onClose={onClose} className="team-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoFocus />
        </label>
        <label className="field">
          <span>Email</span>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} />
        </label>
        <label className="field">
          <span>{operator ? 'New password (leave empty to keep the current one)' : 'Password'}</span>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" maxLength={200} />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Operator['role'])}>
            <option value="operator">Operator</option>
            <option value="super_admin">Super admin: everything, in every group</option>
          </select>
        </label>
        {role === 'operator' && (
          <fieldset>
            <legend>Permissions</legend>
            {PERMISSIONS.map(([permission, , label]) => (
              <label key={permission} className="check">
                <input type="checkbox" checked={permissions.includes(permission)} onChange={() => setPermissions((list) => toggle(list, permission))} /> {label}
              </label>
            ))}
          </fieldset>
        )}
        <fieldset aria-describedby={`${id}-groups-hint`}>
          <legend>Groups</legend>
          <p id={`${id}-groups-hint`} className="muted">
            In no group, an operator sees the Unassigned conversations of every group.
          </p>
          {groups.map((g) => (
            <label key={g.id} className="check">
              <input type="checkbox" checked={groupIds.includes(g.id)} onChange={() => setGroupIds((list) => toggle(list, g.id))} /> <span dir="auto">{g.name}</span>
            </label>
          ))}
        </fieldset>
        {operator && (
          <label className="check">
            <input type="checkbox" checked={active} disabled={operator.id === me.id} onChange={() => setActive((on) => !on)} /> Active: can log in and be given conversations
            {operator.id === me.id && <span className="muted"> (another super_admin can deactivate you)</span>}
          </label>
        )}
        {operator && operator.active !== false && !active && (
          <p className="muted">Deactivating logs {operator.name} out everywhere. Conversations in their inbox stay there until you hand them to a colleague.</p>
        )}
        {operator && operator.active !== false && operator.id !== me.id && <EndSessions operator={operator} />}
        <FormActions error={error} onCancel={onClose} disabled={busy} submit={busy ? 'Saving…' : operator ? 'Save' : 'Add operator'} />
      </form>
    </Dialog>
  );
}
