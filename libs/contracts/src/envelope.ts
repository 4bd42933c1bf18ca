import { z } from 'zod';
import { isoTime, uuid } from './primitives';

/** Every message on the bus travels in this envelope; `payload` is checked by the schema of `type`. */
export const envelopeSchema = z.strictObject({
  id: uuid,
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, 'must look like aggregate.verb'),
  version: z.number().int().positive(),
  occurredAt: isoTime,
  source: z.string().min(1).max(100),
  traceparent: z.string().max(100).optional(),
  partitionKey: z.string().min(1).max(300),
  payload: z.unknown(),
});
export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };
