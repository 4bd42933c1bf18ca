import { useState, type FormEvent } from 'react';
import type { ChannelType, Group } from '../api/types';
import { Dialog, FormActions } from '../conversation/Dialog';
import { CHANNEL_NAME } from '../workspace/format';
import { useSession } from '../session';
import { messageOf, useList } from './common';
import './pages.css';
import { NamedOptions } from '../NamedOptions';

/** GET /channels items: secrets are never answered, only the settings one may read back. */
export type Channel = { id: string; type: ChannelType; name: string; groupId: string; enabled: boolean; webhookUrl: string; widgetTag?: string; settings: Record<string, unknown> };

type Field = { key: string; label: string; secret?: boolean; generate?: number; optional?: boolean; hint?: string };

/** Each type's settings as API.md names them; secrets are write-only, so an edit may leave them empty to keep them. */
const FIELDS: Record<ChannelType, Field[]> = {
  whatsapp: [
    { key: 'phoneNumberId', label: 'Phone number ID (from Meta’s WhatsApp Manager)' },
    { key: 'accessToken', label: 'Access token', secret: true },
    { key: 'appSecret', label: 'App secret (checks the webhook’s signature)', secret: true },
    { key: 'verifyToken', label: 'Verify token (you give it to Meta with the webhook URL)', secret: true, generate: 24 },
    { key: 'apiBaseUrl', label: 'Graph API address', optional: true, hint: 'Empty: Meta’s Cloud API' },
  ],
  telegram: [
    { key: 'botToken', label: 'Bot token (from @BotFather)', secret: true },
    { key: 'secretToken', label: 'Webhook secret token', secret: true, generate: 32 },
    { key: 'apiBaseUrl', label: 'Bot API address', optional: true, hint: 'Empty: api.telegram.org' },
  ],
  webchat: [],
  api: [{ key: 'apiKey', label: 'API key the connector sends as a Bearer token', secret: true, generate: 40 }],
};

/** Random letters and digits for a key the super_admin hands on (crypto-strong, from the browser). */
function randomKey(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join('');
}

/** The super_admin's channels (D2: each brings new conversations into its default group). */
export function ChannelsPage() {
  const { api, groups } = useSession();
  const { items: channels, loading, error, load } = useList<Channel>(api, '/channels');
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<Channel | 'new'>();
  /** The secrets just saved, shown this once: the server never answers them again. */
  const [shownKeys, setShownKeys] = useState<[string, string][]>([]);

  const registerTelegram = async (channel: Channel) => {
    setNotice(undefined);
    try {
      const answer = await api.post<{ description?: string }>(`/channels/${channel.id}/telegram/webhook`);
      setNotice(`${channel.name}: Telegram says “${answer.description ?? 'done'}”.`);
    } catch (e) {
      setNotice(`${channel.name}: ${messageOf(e)}`);
    }
  };

  return (
    <main className="page channels-page" aria-labelledby="channels-heading">
      <div className="team-head">
        <h1 id="channels-heading">Channels</h1>
        <button className="primary" onClick={() => setEditing('new')}>
          Add channel
        </button>
      </div>
      <p className="page-hint">Where clients write from. A new conversation lands in its channel’s default group.</p>
      <p role="status" className="muted" aria-live="polite">
        {notice ?? (loading ? 'Loading…' : `${channels.length} channel${channels.length === 1 ? '' : 's'}`)}
      </p>
      {error && (
        <p role="alert" className="error">
          {error} <button onClick={() => void load()}>Try again</button>
        </p>
      )}
      {shownKeys.length > 0 && (
        <div className="channel-keys" role="region" aria-label="Keys to copy now">
          <p>Copy these now: they are stored, and never shown again.</p>
          {shownKeys.map(([label, value]) => (
            <p key={label}>
              {label}: <code className="channel-code">{value}</code>
            </p>
          ))}
          <button onClick={() => setShownKeys([])}>I have copied them</button>
        </div>
      )}
      <ul className="channel-list" aria-label="Channels">
        {channels.map((c) => (
          <li key={c.id} className={c.enabled ? 'channel-item' : 'channel-item team-inactive'}>
            <h2 dir="auto">
              {c.name} <span className="badge">{CHANNEL_NAME[c.type]}</span> {!c.enabled && <span className="badge">Switched off</span>}
            </h2>
            <p>
              Default group: <span dir="auto">{groups.find((g) => g.id === c.groupId)?.name ?? 'a deleted group'}</span>
            </p>
            {c.type === 'api' && (
              <p>
                Channel id (the connector names it in every message): <code className="channel-code">{c.id}</code>
              </p>
            )}
            {c.type === 'webchat' ? (
              <p>
                Put this on the pages of {(c.settings['allowedOrigins'] as string[] | undefined)?.join(', ') || 'your site (add its address first)'}: <code className="channel-code">{c.widgetTag}</code>
              </p>
            ) : (
              <p>
                {c.type === 'api' ? 'Connectors post messages to' : 'Webhook URL'}: <code className="channel-code">{c.webhookUrl}</code>
              </p>
            )}
            <div className="row-actions">
              <button onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                Edit
              </button>
              {c.type === 'telegram' && (
                <button onClick={() => void registerTelegram(c)} aria-label={`Register the webhook of ${c.name} with Telegram`}>
                  Register the webhook with Telegram
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {!loading && !error && channels.length === 0 && <p className="muted">No channels yet: add one so clients can write.</p>}
      {editing && (
        <ChannelDialog
          channel={editing === 'new' ? undefined : editing}
          groups={groups}
          onClose={() => setEditing(undefined)}
          onSaved={(saved, created, keys) => {
            setEditing(undefined);
            setNotice(created ? `Added ${saved.name}.` : `Saved ${saved.name}.`);
            setShownKeys(keys);
            void load();
          }}
        />
      )}
    </main>
  );
}

/** Adds a channel, or changes one: name, default group, on/off, and the settings typed (secrets only when typed). */
function ChannelDialog({
  channel,
  groups,
  onClose,
  onSaved,
}: {
  channel?: Channel;
  groups: Group[];
  onClose: () => void;
  onSaved: (channel: Channel, created: boolean, keys: [string, string][]) => void;
}) {
  const { api } = useSession();
  const [type, setType] = useState<ChannelType>(channel?.type ?? 'webchat');
  const [name, setName] = useState(channel?.name ?? '');
  const [groupId, setGroupId] = useState(channel?.groupId ?? groups[0]?.id ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [origins, setOrigins] = useState(((channel?.settings['allowedOrigins'] as string[] | undefined) ?? []).join('\n'));
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(type, channel));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const fields = FIELDS[type];

  const chooseType = (next: ChannelType) => {
    setType(next);
    setValues(initialValues(next));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Give the channel a name.');
    if (!groupId) return setError('Add a group on the Team page first: every channel needs a default group.');
    const settings: Record<string, unknown> = {};
    if (type === 'webchat') settings['allowedOrigins'] = origins.split(/[\s,]+/).filter(Boolean);
    for (const f of fields) {
      const value = values[f.key]?.trim() ?? '';
      if (value) settings[f.key] = value;
      else if (!channel && !f.optional) return setError(`Give the ${f.label.replace(/ \(.*/, '').toLowerCase()}.`);
    }
    const body = channel
      ? {
          ...(name.trim() !== channel.name ? { name: name.trim() } : {}),
          ...(groupId !== channel.groupId ? { groupId } : {}),
          ...(enabled !== channel.enabled ? { enabled } : {}),
          ...(Object.keys(settings).some((k) => JSON.stringify(settings[k]) !== JSON.stringify(channel.settings[k])) ? { settings } : {}),
        }
      : { type, name: name.trim(), groupId, settings };
    if (Object.keys(body).length === 0) return onClose();
    setBusy(true);
    setError(undefined);
    try {
      const saved = channel ? await api.patch<Channel>(`/channels/${channel.id}`, body) : await api.post<Channel>('/channels', body);
      // The keys Relaydesk picked are the only secrets the super_admin has not typed himself.
      const picked = fields.filter((f) => f.generate && typeof settings[f.key] === 'string').map((f): [string, string] => [f.label.replace(/ \(.*/, ''), settings[f.key] as string]);
      onSaved(saved, !channel, picked);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <Dialog title={channel ? `Edit ${channel.name}` : 'Add channel'} onClose={onClose} className="team-dialog">
      <form onSubmit={(e) => void submit(e)}>
        {!channel && (
          <label className="field">
            <span>Type</span>
            <select value={type} onChange={(e) => chooseType(e.target.value as ChannelType)}>
              {(Object.keys(FIELDS) as ChannelType[]).map((t) => (
                <option key={t} value={t}>
                  {CHANNEL_NAME[t]}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoFocus />
        </label>
        <label className="field">
          <span>Default group</span>
          <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            <NamedOptions items={groups} />
          </select>
        </label>
        {type === 'webchat' && (
          <label className="field">
            <span>Sites allowed to show the chat (one address per line, like https://shop.example)</span>
            <textarea value={origins} onChange={(e) => setOrigins(e.target.value)} rows={3} />
          </label>
        )}
        {fields.map((f) => (
          <label key={f.key} className="field">
            <span>
              {f.label}
              {channel && f.secret && ' (stored; type a new one to replace it)'}
              {f.hint && ` (${f.hint})`}
            </span>
            <input type={f.secret && !f.generate ? 'password' : 'text'} value={values[f.key] ?? ''} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))} autoComplete="off" />
          </label>
        ))}
        {channel && (
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={() => setEnabled((on) => !on)} /> On: its clients’ messages come in and replies go out
          </label>
        )}
        <FormActions error={error} onCancel={onClose} disabled={busy} submit={busy ? 'Saving…' : channel ? 'Save' : 'Add channel'} />
      </form>
    </Dialog>
  );
}

/** What the form starts with: the readable settings of a channel, or fresh keys for a new one. */
function initialValues(type: ChannelType, channel?: Channel): Record<string, string> {
  return Object.fromEntries(
    FIELDS[type].map((f) => {
      if (channel) return [f.key, f.secret ? '' : String(channel.settings[f.key] ?? '')];
      return [f.key, f.generate ? randomKey(f.generate) : ''];
    }),
  );
}
