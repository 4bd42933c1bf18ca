import type { AttachmentRef } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

export type AttachmentRow = {
  id: string;
  messageId: string;
  conversationId: string;
  /** In our blob store; null when the file stays at a connector's URL. */
  storageKey: string | null;
  externalUrl: string | null;
  fileName: string;
  mimeType: string;
  size: number;
};

type Raw = Record<string, unknown>;

/** Reads an attachment from its columns, or from `to_jsonb(attachment)` (see ATTACHMENT_JSON). */
export const toAttachment = (r: Raw): AttachmentRow => ({
  id: r['id'] as string,
  messageId: r['message_id'] as string,
  conversationId: r['conversation_id'] as string,
  storageKey: r['storage_key'] as string | null,
  externalUrl: r['external_url'] as string | null,
  fileName: r['file_name'] as string,
  mimeType: r['mime_type'] as string,
  size: Number(r['size']),
});

/** A message's attachment as one column of a `LEFT JOIN attachment a`: null when it has none. */
export const ATTACHMENT_JSON = 'CASE WHEN a.id IS NULL THEN NULL ELSE to_jsonb(a) END AS attachment';

/** A client's file as a channel handed it over: a key in our blob store, or the connector's URL. */
export const referencedAttachment = (id: string, messageId: string, conversationId: string, ref: AttachmentRef): AttachmentRow => ({
  id,
  messageId,
  conversationId,
  storageKey: ref.storageKey ?? null,
  externalUrl: ref.storageKey ? null : (ref.url ?? null),
  fileName: ref.fileName,
  mimeType: ref.mimeType,
  size: ref.size,
});

export async function insertAttachments(tx: Tx, rows: AttachmentRow[], at: string): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO attachment (id, message_id, conversation_id, storage_key, external_url, file_name, mime_type, size, created_at)
     SELECT *, $9::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.messageId),
      rows.map((r) => r.conversationId),
      rows.map((r) => r.storageKey),
      rows.map((r) => r.externalUrl),
      rows.map((r) => r.fileName),
      rows.map((r) => r.mimeType),
      rows.map((r) => r.size),
      at,
    ],
  );
}

export async function findAttachment(tx: Tx, id: string): Promise<AttachmentRow | undefined> {
  const rows = await tx.query<Raw[]>('SELECT * FROM attachment WHERE id = $1', [id]);
  return rows[0] && toAttachment(rows[0]);
}

/** Which of these blob keys an attachment holds. */
export async function heldStorageKeys(tx: Tx, keys: string[]): Promise<string[]> {
  const rows = await tx.query<{ storage_key: string }[]>('SELECT storage_key FROM attachment WHERE storage_key = ANY($1::text[])', [keys]);
  return rows.map((r) => r.storage_key);
}
