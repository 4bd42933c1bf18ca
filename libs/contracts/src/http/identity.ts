import { z } from 'zod';
import { permission, typedName, role, uuid } from '../primitives';

const email = z.email({ message: 'must be an email address' }).max(254).transform((e) => e.toLowerCase());
const password = z.string().min(8, 'must be at least 8 characters').max(200).refine((p) => p.trim().length > 0, 'must not be only spaces');

const typedPassword = z.string().min(1).max(200);

export const loginBody = z.strictObject({ email, password: typedPassword });
export type LoginBody = z.infer<typeof loginBody>;

/** `everywhere`: every access token of the caller, on every device, not only the one sent. */
export const logoutBody = z.strictObject({ everywhere: z.boolean().default(false) });
export type LogoutBody = z.infer<typeof logoutBody>;

export const changePasswordBody = z
  .strictObject({ currentPassword: typedPassword, newPassword: password })
  .refine((b) => b.newPassword !== b.currentPassword, { message: 'must differ from the current password', path: ['newPassword'] });
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const createOperatorBody = z.strictObject({
  name: typedName,
  email,
  password,
  role,
  permissions: z.array(permission).max(10).default([]),
  groupIds: z.array(uuid).max(100).default([]),
});
export type CreateOperatorBody = z.infer<typeof createOperatorBody>;

export const patchOperatorBody = z
  .strictObject({
    name: typedName,
    email,
    role,
    permissions: z.array(permission).max(10),
    groupIds: z.array(uuid).max(100),
    password,
    active: z.boolean(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'names no field to change' });
export type PatchOperatorBody = z.infer<typeof patchOperatorBody>;

export const createGroupBody = z.strictObject({ name: typedName.max(100, 'must be at most 100 characters') });
export type CreateGroupBody = z.infer<typeof createGroupBody>;
export const renameGroupBody = createGroupBody;

export const operatorView = z.object({
  id: uuid,
  name: z.string(),
  email: z.string(),
  role,
  permissions: z.array(permission),
  groupIds: z.array(uuid),
  /** False for an operator a super_admin deactivated: he cannot log in, nor be assigned conversations. */
  active: z.boolean(),
});
export type OperatorView = z.infer<typeof operatorView>;
