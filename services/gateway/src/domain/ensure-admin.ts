import type { Passwords } from '../auth/passwords';
import type { OperatorRepository } from '../store/operator.repository';

/** The first super_admin, from installation config: made when missing, never changed once there. */
export async function ensureAdmin(
  deps: { operators: Pick<OperatorRepository, 'createIfMissing'>; passwords: Pick<Passwords, 'hash'> },
  admin: { email: string; password: string },
): Promise<boolean> {
  return deps.operators.createIfMissing({
    name: 'Administrator',
    email: admin.email,
    role: 'super_admin',
    permissions: [],
    passwordHash: await deps.passwords.hash(admin.password),
  });
}
