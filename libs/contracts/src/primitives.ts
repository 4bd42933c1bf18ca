import { z } from 'zod';

export const uuid = z.uuid({ message: 'must be a UUID' });

/** The body of an action that takes none: nothing, or `{}`. */
export const noBody = z.strictObject({});
/** The year 0000 and offsets past ±14:00 pass ISO-8601's shape, but PostgreSQL refuses them. */
const storableTime = /^(?!0000)\d{4}-.*(?:Z|[+-](?:0\d|1[0-4]):?\d{2})$/;
export const isoTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 time' })
  .regex(storableTime, 'must be an ISO-8601 time from the year 0001 on, with an offset of at most 14 hours');
/** PostgreSQL's text and jsonb cannot hold NUL, and pg would store an unpaired surrogate as U+FFFD. */
const unstorable = /[\0\uD800-\uDFFF]/u;
const everyUnstorable = new RegExp(unstorable, 'gu');
/** A string that is stored exactly as given; anything else is refused naming its field (D33). */
export const storableString = z.string().refine((s) => !unstorable.test(s), 'must not contain NUL characters or unpaired surrogates');
/** What a platform sent us, with each character PostgreSQL cannot store replaced by U+FFFD: its client's message is kept. */
export function withStorableText(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(everyUnstorable, '\uFFFD');
  if (Array.isArray(value)) return value.map(withStorableText);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [withStorableText(key), withStorableText(v)]));
}

/** A message's text: any Unicode (D20), trimmed of nothing, bounded. */
export const messageText = storableString.min(1).max(10_000);
/** Whether a text shows anything: more than white space and invisible format characters (zero-width spaces and the like). */
export const hasVisibleText = (text: string): boolean => text.replace(/[\s\p{Cf}]/gu, '').length > 0;
/** What an operator or a webchat visitor sends: a message's text that shows something (D33). */
export const typedText = messageText.refine((t) => t.length === 0 || hasVisibleText(t), 'must not be blank').meta({ minLength: 1, maxLength: 10_000 });
/** A name as a platform sent it: kept, whatever it holds. */
export const personName = storableString.trim().min(1, 'must not be blank').max(200);
/** A name our users type (operators, groups, clients renamed, webchat visitors): it must show something. */
export const typedName = personName.refine((n) => n.length === 0 || hasVisibleText(n), 'must not be blank');

export const channelTypes = ['whatsapp', 'telegram', 'webchat', 'api'] as const;
export const channelType = z.enum(channelTypes);
export type ChannelType = z.infer<typeof channelType>;

export const conversationStatuses = ['unassigned', 'in_progress', 'closed'] as const;
export const conversationStatus = z.enum(conversationStatuses);
export type ConversationStatus = z.infer<typeof conversationStatus>;

export const roles = ['super_admin', 'operator'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

export const permissions = ['conversations.manage', 'conversations.view_all', 'analytics.view'] as const;
export const permission = z.enum(permissions);
export type Permission = z.infer<typeof permission>;

export const deliveryStatuses = ['sent', 'delivered', 'read', 'failed'] as const;
export const deliveryStatus = z.enum(deliveryStatuses);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

/** An IANA time zone name the runtime knows ("Europe/Berlin", "UTC"). */
export const timeZone = z
  .string()
  .max(64)
  .refine(
    (name) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: name });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Europe/Berlin' },
  );
