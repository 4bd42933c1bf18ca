import type { DataSource } from 'typeorm';
import type { CallerIdentity } from '@relaydesk/contracts';
import { deleteCannedResponse, lockCannedResponse } from '../store/canned-response.repository';
import { assertMayChangeCanned } from './canned-response-rules';

/** D16, D34: the owner deletes his own; only a super_admin a global one. */
export function deleteCanned(db: DataSource, caller: CallerIdentity, id: string): Promise<void> {
  return db.transaction(async (tx) => {
    assertMayChangeCanned(caller, await lockCannedResponse(tx, id));
    await deleteCannedResponse(tx, id);
  });
}
