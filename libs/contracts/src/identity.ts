import { z } from 'zod';
import { permission, role, uuid } from './primitives';

/** Who is calling, as the gateway vouches for it to services in the signed internal header. */
export const callerIdentity = z.strictObject({
  operatorId: uuid,
  role,
  permissions: z.array(permission),
  groupIds: z.array(uuid),
});
export type CallerIdentity = z.infer<typeof callerIdentity>;
export const IDENTITY_HEADER = 'x-relaydesk-identity';
