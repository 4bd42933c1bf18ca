import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { type ChannelType, type Envelope, type MessageType, type PayloadOf, envelopeSchema, exchangeOf, isMessageType, messageCatalogue } from '@relaydesk/contracts';
import { AppError, detailsOf } from '@relaydesk/service-kit';
import { traceHeaders } from './tracing';

export type AnyMessage = { [T in MessageType]: Envelope<PayloadOf<T>> & { type: T } }[MessageType];
export type MessageOf<T extends MessageType> = Envelope<PayloadOf<T>> & { type: T };

const DERIVED_NAMESPACE = '3f0c8a52-8f7e-4c55-9a43-6a3a7e1f2b10';

/** An id that is the same every time it is derived from the same message, so a redo is recognised. */
export const derivedId = (fromId: string, purpose: string): string => uuidv5(`${fromId}/${purpose}`, DERIVED_NAMESPACE);

export function makeEnvelope<T extends MessageType>(
  type: T,
  payload: PayloadOf<T>,
  options: { source: string; partitionKey: string; id?: string; occurredAt?: Date },
): MessageOf<T> {
  const traceparent = traceHeaders()['traceparent'];
  return {
    id: options.id ?? uuidv7(),
    type,
    version: 1,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    source: options.source,
    partitionKey: options.partitionKey,
    ...(traceparent ? { traceparent } : {}),
    payload,
  };
}

export const routeOf = (envelope: { type: MessageType }): { exchange: string; routingKey: string } => ({
  exchange: exchangeOf(envelope.type),
  routingKey: envelope.type,
});

export type ParseResult = { ok: true; message: AnyMessage } | { ok: false; reason: string };

/** Checks raw bytes from the broker: JSON, the envelope, a known type, and the payload of that type. */
export function parseMessage(content: Buffer): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `bad envelope: ${summary(envelope.error)}` };
  const { type } = envelope.data;
  if (!isMessageType(type)) return { ok: false, reason: `unknown message type ${type}` };
  const payload = messageCatalogue[type].safeParse(envelope.data.payload);
  if (!payload.success) return { ok: false, reason: `bad ${type} payload: ${summary(payload.error)}` };
  return { ok: true, message: { ...envelope.data, type, payload: payload.data } as AnyMessage };
}

function summary(error: Parameters<typeof detailsOf>[0]): string {
  return detailsOf(error)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
}

export type InboundEnvelope = MessageOf<`inbound.${ChannelType}`>;
export type OutboundEnvelope = MessageOf<`outbound.${ChannelType}`>;
export type DeliveryEnvelope = MessageOf<`delivery.${ChannelType}`>;

export const isType =
  <T extends MessageType>(type: T) =>
  (m: AnyMessage): m is Extract<AnyMessage, { type: T }> =>
    m.type === type;
export const isInbound = (m: AnyMessage): m is InboundEnvelope => m.type.startsWith('inbound.');
export const isOutbound = (m: AnyMessage): m is OutboundEnvelope => m.type.startsWith('outbound.');
export const isDelivery = (m: AnyMessage): m is DeliveryEnvelope => m.type.startsWith('delivery.');

/** Narrows a batch to the types a consumer expects; anything else is a permanent failure (DLQ). */
export function expectEach<M extends AnyMessage>(messages: AnyMessage[], guard: (m: AnyMessage) => m is M, consumer: string): M[] {
  return messages.map((m) => {
    if (!guard(m)) throw new AppError('validation_failed', `${consumer} does not handle ${m.type}`);
    return m;
  });
}
