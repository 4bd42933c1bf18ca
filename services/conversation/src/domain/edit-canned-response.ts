import type { DataSource } from 'typeorm';
import type { CallerIdentity, PatchCannedResponseBody } from '@relaydesk/contracts';
import { lockCannedResponse, updateCannedResponse, type CannedResponseRow } from '../store/canned-response.repository';
import { assertMayChangeCanned } from './canned-response-rules';

/** D16, D34: the owner changes the title and/or text of his own; only a super_admin a global one. */
export function editCanned(db: DataSource, caller: CallerIdentity, id: string, change: PatchCannedResponseBody): Promise<CannedResponseRow> {
  return db.transaction(async (tx) => {
    assertMayChangeCanned(caller, await lockCannedResponse(tx, id));
    return updateCannedResponse(tx, id, change);
  });
}
