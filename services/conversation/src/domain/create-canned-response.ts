import { v7 as uuidv7 } from 'uuid';
import type { CallerIdentity, CreateCannedResponseBody } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { insertCannedResponse, type CannedResponseRow } from '../store/canned-response.repository';
import { scopeFor } from './canned-response-rules';

/** D16: a super_admin's canned response is global, an operator's his own. */
export function createCanned(tx: Tx, caller: CallerIdentity, body: CreateCannedResponseBody): Promise<CannedResponseRow> {
  return insertCannedResponse(tx, { id: uuidv7(), scope: scopeFor(caller), ownerId: caller.operatorId, title: body.title, text: body.text });
}
