import { z } from 'zod';
import { typedText, typedName, uuid } from '../primitives';

/** A phone number in E.164: `+` and 8–15 digits; spaces and dashes people type are dropped. */
export const e164Phone = z
  .string()
  .max(40)
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+\d{8,15}$/, 'must be an E.164 phone number: + and 8-15 digits'));

/** D29: does this number have WhatsApp? */
export const outgoingCheckBody = z.strictObject({ phone: e164Phone });
export type OutgoingCheckBody = z.infer<typeof outgoingCheckBody>;

/** D29: an operator starts a WhatsApp conversation; groupId is required when he is in several groups. */
export const startOutgoingBody = z.strictObject({ phone: e164Phone, clientName: typedName, text: typedText, groupId: uuid.optional() });
export type StartOutgoingBody = z.infer<typeof startOutgoingBody>;

/** Internal (gateway → ingestion): the number check, on a given WhatsApp channel or the first one. */
export const whatsappCheckBody = z.strictObject({ phone: e164Phone, channelId: uuid.optional() });
export type WhatsappCheckBody = z.infer<typeof whatsappCheckBody>;

/** What ingestion answers: the WhatsApp id of the number (when it has WhatsApp) and the channel that asked. */
export type WhatsappCheckAnswer = { phone: string; hasWhatsApp: boolean; waId: string | null; channelId: string; groupId: string };

/** Internal (gateway → conversation): who a checked number's WhatsApp account already is. */
export const outgoingClientQuery = z.strictObject({ channelId: uuid, externalClientId: z.string().regex(/^\d{8,15}$/, 'must be the WhatsApp id: 8-15 digits') });

/**
 * D29, D34: the number's existing client, as the caller may learn of him before writing: named
 * when his conversation is in the caller's groups (and whether a colleague holds it), else only
 * that it is out of reach. Null for a number nobody has written with.
 */
export const existingClient = z
  .union([z.strictObject({ inYourGroups: z.literal(true), name: z.string(), heldByAnother: z.boolean(), blacklisted: z.boolean() }), z.strictObject({ inYourGroups: z.literal(false) })])
  .nullable();
export type ExistingClient = z.infer<typeof existingClient>;

/** Internal (gateway → conversation): the checked number, the channel and the group the gateway settled on. */
export const outgoingConversationBody = z.strictObject({
  channelId: uuid,
  externalClientId: z.string().regex(/^\d{8,15}$/, 'must be the WhatsApp id: 8-15 digits'),
  phone: e164Phone,
  clientName: typedName,
  text: typedText,
  groupId: uuid,
});
export type OutgoingConversationBody = z.infer<typeof outgoingConversationBody>;
