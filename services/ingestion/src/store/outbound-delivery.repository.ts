import type { DataSource } from 'typeorm';
import type { DeliveryReport } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

export type DeliveryClaim = { status: 'sending' | 'sent' | 'failed'; attempts: number };

/**
 * What became of each operator message handed to a platform: the platform's id for it (to match
 * its later statuses), and whether it is still being sent. A message settled once stays settled.
 */
export class OutboundDeliveryRepository {
  constructor(private readonly db: DataSource) {}

  /** Counts one more attempt at sending the message and answers where it stands. */
  async claim(messageId: string, channelId: string): Promise<DeliveryClaim> {
    const [row] = await this.db.query<DeliveryClaim[]>(
      `INSERT INTO outbound_delivery (message_id, channel_id, status, attempts) VALUES ($1, $2, 'sending', 1)
       ON CONFLICT (message_id) DO UPDATE SET attempts = outbound_delivery.attempts + 1, updated_at = now()
         WHERE outbound_delivery.status = 'sending'
       RETURNING status, attempts`,
      [messageId, channelId],
    );
    return row ?? { status: 'sent', attempts: 0 };
  }

  async settle(tx: Tx, messageId: string, outcome: { status: 'sent'; externalMessageId: string } | { status: 'failed'; reason: string }): Promise<void> {
    await tx.query(`UPDATE outbound_delivery SET status = $2, external_message_id = $3, last_error = $4, updated_at = now() WHERE message_id = $1`, [
      messageId,
      outcome.status,
      outcome.status === 'sent' ? outcome.externalMessageId : null,
      outcome.status === 'failed' ? outcome.reason : null,
    ]);
  }

  /** Our message the platform knows as `externalMessageId`, if we sent it. */
  async messageIdOf(channelId: string, externalMessageId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ message_id: string }[]>('SELECT message_id FROM outbound_delivery WHERE channel_id = $1 AND external_message_id = $2', [channelId, externalMessageId]);
    return row?.message_id;
  }

  /**
   * Keeps a status that came before the platform's answer to the send told us its id. Statuses of
   * messages that are not ours (sent from the phone, another app) would wait forever: a day is enough.
   */
  async keepEarlyStatus(channelId: string, externalMessageId: string, report: DeliveryReport): Promise<void> {
    await this.db.query(`DELETE FROM early_delivery_status WHERE received_at < now() - interval '1 day'`);
    await this.db.query(
      `INSERT INTO early_delivery_status (channel_id, external_message_id, status, report) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [channelId, externalMessageId, report.status, JSON.stringify(report)],
    );
  }

  /** Takes the statuses that waited for this send's answer. */
  async takeEarlyStatuses(tx: Tx, channelId: string, externalMessageId: string): Promise<DeliveryReport[]> {
    // TypeORM answers a DELETE with [rows, affected count].
    const [rows] = await tx.query<[{ report: DeliveryReport }[], number]>(
      'DELETE FROM early_delivery_status WHERE channel_id = $1 AND external_message_id = $2 RETURNING report',
      [channelId, externalMessageId],
    );
    return rows.map((r) => r.report);
  }
}
