import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ConversationItem } from '../api/types';
import { Dialog, FormActions } from '../conversation/Dialog';
import { useSession, type Session } from '../session';
import { messageOf } from './common';
import './pages.css';
import { NamedOptions } from '../NamedOptions';

/** D29: whether the outgoing WhatsApp dialog may be offered (the paid feature is on). */
export const outgoingEnabled = (session: Pick<Session, 'features'>): boolean => session.features.outgoingWhatsApp === true;

const E164 = /^\+\d{8,15}$/;

/** What the number check says of a client the number already is (API: existingClient). */
type ExistingClient = { inYourGroups: true; name: string; heldByAnother: boolean; blacklisted: boolean } | { inYourGroups: false } | null;

/** Why the caller cannot write to this existing client first, if he cannot (the server would refuse alike). */
function blockedBecause(existing: ExistingClient): string | undefined {
  if (!existing) return undefined;
  if (!existing.inYourGroups) return 'This number’s client is served in a group you are not in: ask an operator of that group to write.';
  if (existing.blacklisted) return `${existing.name} is on the blacklist: unlock the conversation first.`;
  if (existing.heldByAnother) return `${existing.name}’s conversation is in a colleague’s inbox: ask them to hand it over.`;
  return undefined;
}
const normalPhone = (typed: string) => typed.replace(/[\s\-().]/g, '');

/**
 * D29: a new WhatsApp conversation started by the operator: the number is checked first, then the
 * client's name, the first text and the group. Renders nothing while the feature is off.
 */
export function OutgoingDialog({ onClose, onStarted }: { onClose: () => void; onStarted: (conversationId: string) => void }) {
  const session = useSession();
  const { api, me, groups } = session;
  const [step, setStep] = useState<'phone' | 'details'>('phone');
  const [phone, setPhone] = useState('');
  const [checkedPhone, setCheckedPhone] = useState('');
  const [noWhatsApp, setNoWhatsApp] = useState<string>();
  const [clientName, setClientName] = useState('');
  const [existing, setExisting] = useState<ExistingClient>(null);
  const blocked = blockedBecause(existing);
  const [text, setText] = useState('');
  // D29: the group must be one of the operator's (a super_admin may pick any, or leave it to the channel).
  const myGroups = me.role === 'super_admin' ? groups : groups.filter((g) => me.groupIds.includes(g.id));
  const groupRequired = me.role !== 'super_admin' && myGroups.length > 1;
  const [groupId, setGroupId] = useState(me.role !== 'super_admin' && myGroups.length === 1 ? myGroups[0]!.id : '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const body = useRef<HTMLDivElement>(null);
  const id = useId();

  // The dialog focuses its first field on open; the second step's first field gets it when drawn.
  useEffect(() => {
    body.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [step]);

  if (!outgoingEnabled(session)) return null;

  async function check(event: FormEvent) {
    event.preventDefault();
    const wanted = normalPhone(phone);
    setError(undefined);
    setNoWhatsApp(undefined);
    if (!E164.test(wanted)) return setError('Enter the number in international form: + and the country code, 8–15 digits (e.g. +49 151 2345678).');
    setBusy(true);
    try {
      const answer = await api.post<{ phone: string; hasWhatsApp: boolean; existingClient?: ExistingClient }>('/outgoing/check', { phone: wanted });
      if (answer.hasWhatsApp) {
        const known = answer.existingClient ?? null;
        setExisting(known);
        if (known?.inYourGroups) setClientName(known.name);
        setCheckedPhone(answer.phone || wanted);
        setStep('details');
      } else setNoWhatsApp(`${answer.phone || wanted} has no WhatsApp. Check the number, or reach the client another way.`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function start(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    if (!clientName.trim()) return setError('Enter the client’s name.');
    if (!text.trim()) return setError('Enter the message to send.');
    if (groupRequired && !groupId) return setError('Choose the group the conversation belongs to.');
    setBusy(true);
    try {
      const conversation = await api.post<ConversationItem>('/outgoing', { phone: checkedPhone, clientName: clientName.trim(), text, ...(groupId ? { groupId } : {}) });
      onStarted(conversation.id);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="New WhatsApp conversation"
      description={step === 'phone' ? 'Step 1 of 2: the client’s number' : 'Step 2 of 2: name, message and group'}
      onClose={busy ? () => undefined : onClose}
      className="outgoing-dialog"
    >
      <div ref={body}>
        {step === 'phone' ? (
          <form className="cv-form" onSubmit={(e) => void check(e)} noValidate>
            <div className="field-with-hint">
              <label className="field">
                <span>Phone number</span>
                <input
                  type="tel"
                  inputMode="tel"
                  autoComplete="off"
                  value={phone}
                  onChange={(e) => {
                    setPhone(e.target.value);
                    setNoWhatsApp(undefined);
                  }}
                  placeholder="+49 151 2345678"
                  aria-describedby={`${id}-phone-hint`}
                  data-autofocus
                  required
                />
              </label>
              <small id={`${id}-phone-hint`} className="muted">
                International form: + and the country code.
              </small>
            </div>
            {noWhatsApp && (
              <p role="status" className="warning">
                {noWhatsApp}
              </p>
            )}
            <FormActions error={error} onCancel={onClose} disabled={busy} submit={busy ? 'Checking…' : 'Check number'} />
          </form>
        ) : (
          <form className="cv-form" onSubmit={(e) => void start(e)} noValidate>
            <p>
              <span>
                <strong>{checkedPhone}</strong> has WhatsApp.
              </span>{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  setStep('phone');
                  setError(undefined);
                }}
                disabled={busy}
              >
                Change number
              </button>
            </p>
            {blocked && (
              <p role="alert" className="error">
                {blocked}
              </p>
            )}
            {existing?.inYourGroups ? (
              <p className="field-static">
                <span>Client</span> <strong dir="auto">{existing.name}</strong>, already a client: the message goes to their conversation (rename them from their profile).
              </p>
            ) : (
              <label className="field">
                <span>Client name</span>
                <input value={clientName} onChange={(e) => setClientName(e.target.value)} maxLength={200} dir="auto" data-autofocus required disabled={Boolean(blocked)} />
              </label>
            )}
            <label className="field">
              <span>Message</span>
              <textarea
                value={text}
                onChange={(e) => setText(e.target.value)}
                rows={4}
                maxLength={10000}
                dir="auto"
                required
                data-autofocus={existing?.inYourGroups ? true : undefined}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }
                }}
              />
            </label>
            {me.role !== 'super_admin' && myGroups.length === 1 ? (
              <p className="field-static">
                <span>Group</span> <strong>{myGroups[0]!.name}</strong>
              </p>
            ) : (
              myGroups.length > 0 && (
                <label className="field">
                  <span>Group{groupRequired ? '' : ' (optional)'}</span>
                  <select value={groupId} onChange={(e) => setGroupId(e.target.value)} required={groupRequired}>
                    <option value="">{groupRequired ? 'Choose a group…' : 'The channel’s default group'}</option>
                    <NamedOptions items={myGroups} />
                  </select>
                </label>
              )
            )}
            <FormActions error={error} onCancel={onClose} disabled={busy || Boolean(blocked)} submit={busy ? 'Starting…' : 'Start conversation'} />
          </form>
        )}
      </div>
    </Dialog>
  );
}
