import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { makeEnvelope, peekDeadLetters } from '@relaydesk/bus';
import { startService, waitFor } from '@relaydesk/testing';
import { mailMessageIdOf } from '../src/domain/send-transcript';
import { MailStand, transcriptMessage, transcriptRequest } from './mail-fixture';

/** D23 after the request: the notification service mails each transcript once and says how it went. */
describe('transcript mail', () => {
  let stand: MailStand;

  beforeAll(async () => {
    stand = await MailStand.open({ MAIL_ATTACHMENTS_MAX_BYTES: String(300_000) });
  }, 60_000);

  afterAll(async () => {
    await stand?.close();
  });

  const mailOf = (transcriptId: string) => waitFor(`mail ${transcriptId}`, () => stand.smtp.mailsWithId(mailMessageIdOf(transcriptId))[0]);

  it('D23: the mail goes to the recipients with the subject, the messages in order, and the files byte for byte', async () => {
    const photo = randomBytes(200_000);
    const invoice = randomBytes(150_000);
    await stand.blobs.put('attachments/photo-1', photo, { contentType: 'image/png' });
    await stand.blobs.put('attachments/invoice-1', invoice, { contentType: 'application/pdf' });
    const photoFile = { id: randomUUID(), fileName: 'Frühling 🌸 «Фото».png', mimeType: 'image/png', size: photo.length, storageKey: 'attachments/photo-1', url: null };
    const invoiceFile = { id: randomUUID(), fileName: 'invoice.pdf', mimeType: 'application/pdf', size: invoice.length, storageKey: 'attachments/invoice-1', url: null };
    const remoteFile = { id: randomUUID(), fileName: 'remote.jpg', mimeType: 'image/jpeg', size: 10, storageKey: null, url: 'https://cdn.example.com/remote.jpg' };
    const request = transcriptRequest(
      [
        transcriptMessage('Привет! Where is my order? 📦'),
        transcriptMessage('Looking at it <now> & "soon"', { direction: 'out', sender: { type: 'operator', name: 'Bob Operator' } }),
        transcriptMessage('Here is the photo', { kind: 'file', attachment: photoFile }),
        transcriptMessage(null, { kind: 'file', direction: 'out', sender: { type: 'operator', name: 'Bob Operator' }, attachment: invoiceFile }),
        transcriptMessage('and one more', { kind: 'file', attachment: remoteFile }),
      ],
      { to: ['boss@example.com', 'archive@example.com'], subject: 'Order 42: Anna 🌸', omittedMessages: 2 },
    );
    await stand.request(request);

    const sent = await stand.outcomes.outcome(request.transcriptId);
    expect(sent).toMatchObject({ type: 'transcript.sent', payload: { transcriptId: request.transcriptId, conversationId: request.conversationId, attempts: 1, mailMessageId: mailMessageIdOf(request.transcriptId) } });
    const mail = await mailOf(request.transcriptId);
    expect(mail.to).toMatchObject({ value: [{ address: 'boss@example.com' }, { address: 'archive@example.com' }] });
    expect(mail.from?.value[0]?.address).toBe('desk@relaydesk.test');
    expect(mail.subject).toBe('Order 42: Anna 🌸');
    const text = mail.text ?? '';
    const order = ['Привет! Where is my order? 📦', 'Looking at it <now> & "soon"', 'Here is the photo', 'invoice.pdf', 'and one more'].map((t) => text.indexOf(t));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('2 earlier messages not included.');
    expect(text).toContain('Channel: WhatsApp');
    expect(mail.html).toContain('Looking at it &lt;now&gt; &amp; &quot;soon&quot;');
    expect(mail.attachments.map((a) => a.filename)).toEqual([photoFile.fileName]);
    expect(mail.attachments[0]!.content.equals(photo)).toBe(true);
    expect(mail.attachments[0]!.contentType).toBe('image/png');
    expect(text).toContain(`https://desk.example.com/api/v1/attachments/${invoiceFile.id}?link=`);
    expect(text).toContain(`https://desk.example.com/api/v1/attachments/${remoteFile.id}?link=`);
  });

  it('D23: files within the limit are all attached byte for byte; a file gone from the store is a link', async () => {
    const first = randomBytes(1000);
    const second = Buffer.from('plain text file ✓\n');
    await stand.blobs.put('attachments/first', first, { contentType: 'application/octet-stream' });
    await stand.blobs.put('attachments/second', second, { contentType: 'text/plain' });
    const file = (storageKey: string, size: number, fileName: string, mimeType = 'application/octet-stream') => ({ id: randomUUID(), fileName, mimeType, size, storageKey, url: null });
    const gone = file('attachments/never-stored', 5, 'gone.bin');
    const request = transcriptRequest([
      transcriptMessage(null, { kind: 'file', attachment: file('attachments/first', first.length, 'first.bin') }),
      transcriptMessage(null, { kind: 'file', attachment: gone }),
      transcriptMessage('text', { kind: 'file', attachment: file('attachments/second', second.length, 'second.txt', 'text/plain') }),
    ]);
    await stand.request(request);
    expect((await stand.outcomes.outcome(request.transcriptId)).type).toBe('transcript.sent');
    const mail = await mailOf(request.transcriptId);
    expect(mail.attachments.map((a) => [a.filename, a.content.equals(a.filename === 'first.bin' ? first : second)])).toEqual([
      ['first.bin', true],
      ['second.txt', true],
    ]);
    expect(mail.text).toContain(`https://desk.example.com/api/v1/attachments/${gone.id}`);
  });

  it('D23: the SMTP server answers 4xx, then accepts → one mail, sent', async () => {
    stand.smtp.temporaryFailures = 2;
    const request = transcriptRequest([transcriptMessage('retry me')]);
    await stand.request(request);
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.sent', payload: { attempts: 3 } });
    expect(stand.smtp.temporaryFailures).toBe(0);
    await sleep(500);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
    expect(stand.outcomes.of(request.transcriptId)).toHaveLength(1);
  });

  it('D23: an SMTP 5xx fails the transcript at once with the server\'s reason; nothing is sent', async () => {
    const request = transcriptRequest([transcriptMessage('nobody reads this')], { to: ['refuse@example.com'] });
    await stand.request(request);
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.failed', payload: { attempts: 1 } });
    expect(outcome.payload.error).toMatch(/^The mail server refused the mail: 550 5\.1\.1 <refuse@example\.com>: no such user here/);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(0);
  });

  it('D23: the server refuses one of two recipients and takes the mail for the other → sent, naming the refused one', async () => {
    const request = transcriptRequest([transcriptMessage('half of it')], { to: ['refuse@example.com', 'boss@example.com'] });
    await stand.request(request);
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.sent', payload: { attempts: 1, refusedRecipients: ['refuse@example.com'] } });
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
  });

  it('D23: a recipient that is no mail address fails the transcript at once; nothing is sent', async () => {
    const request = transcriptRequest([transcriptMessage('to nobody')], { to: ['boss@example.com', 'not an address'] });
    await stand.request(request);
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.failed', payload: { attempts: 1, error: 'Not a mail address: "not an address"' } });
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(0);
  });

  it('D23: past the give-up time a passing failure fails the transcript with the last error', async () => {
    const request = transcriptRequest([transcriptMessage('too late')], { to: ['busy@example.com'], requestedAt: new Date(Date.now() - 25 * 3_600_000).toISOString() });
    await stand.request(request);
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.failed', payload: { attempts: 1 } });
    expect(outcome.payload.error).toMatch(/did not take the mail within 24 h .*451 4\.2\.1 mailbox busy/);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(0);
  });

  it('D23: the same request delivered twice → one mail, one outcome', async () => {
    const request = transcriptRequest([transcriptMessage('only once')]);
    const envelope = { source: 'conversation', partitionKey: request.conversationId };
    const once = makeEnvelope('transcript.requested', request, envelope);
    await stand.bus.publish([once, once]);
    await stand.bus.publish([makeEnvelope('transcript.requested', request, envelope)]); // the same request in a new envelope
    await stand.outcomes.outcome(request.transcriptId);
    await sleep(1_000);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
    expect(stand.outcomes.of(request.transcriptId)).toHaveLength(1);
  });

  it('D23: once sent, the job keeps no copy of the client\'s messages, and the same request delivered later sends nothing', async () => {
    const request = transcriptRequest([transcriptMessage('private words')]);
    await stand.request(request);
    await stand.outcomes.outcome(request.transcriptId);
    const db = new Client({ connectionString: stand.env.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT status, request FROM notification.transcript_job WHERE transcript_id = $1`, [request.transcriptId]);
      expect(rows).toEqual([{ status: 'sent', request: null }]);
    } finally {
      await db.end();
    }
    await stand.request(request);
    await sleep(1_000);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
    expect(stand.outcomes.of(request.transcriptId)).toHaveLength(1);
  });

  it('D23: two replicas share the queued transcripts; each is mailed exactly once', async () => {
    const second = await startService('notification', stand.serviceEnv);
    try {
      const requests = Array.from({ length: 12 }, (_, i) => transcriptRequest([transcriptMessage(`replica test ${i}`)]));
      await Promise.all(requests.map((r) => stand.request(r)));
      await waitFor('all sent', () => requests.every((r) => stand.outcomes.of(r.transcriptId).length > 0), { timeoutMs: 20_000 });
      await sleep(500);
      expect(requests.map((r) => stand.smtp.mailsWithId(mailMessageIdOf(r.transcriptId)).length)).toEqual(requests.map(() => 1));
      expect(requests.map((r) => stand.outcomes.of(r.transcriptId).map((o) => o.type))).toEqual(requests.map(() => ['transcript.sent']));
    } finally {
      await second.stop();
    }
  });

  it('D23: a malformed transcript.requested goes to notification.transcripts.dlq with its reason; the next good one is sent', async () => {
    const bad = { id: randomUUID(), type: 'transcript.requested', version: 1, occurredAt: new Date().toISOString(), source: 'conversation', partitionKey: 'x', payload: { ...transcriptRequest([]), to: [] } };
    await stand.bus.publishRaw([{ exchange: 'events', routingKey: 'transcript.requested', body: Buffer.from(JSON.stringify(bad)), headers: { 'partition-key': 'x' }, messageId: bad.id }]);
    await stand.bus.publishRaw([{ exchange: 'events', routingKey: 'transcript.requested', body: Buffer.from('{"not json'), headers: { 'partition-key': 'x' }, messageId: 'broken' }]);
    const good = transcriptRequest([transcriptMessage('after the bad one')]);
    await stand.request(good);
    expect((await stand.outcomes.outcome(good.transcriptId)).type).toBe('transcript.sent');
    const dead = await waitFor('two dead letters', async () => {
      const letters = await peekDeadLetters(stand.bus, 'notification.transcripts');
      return letters.length === 2 ? letters : undefined;
    });
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/^bad transcript.requested payload: .*to/), 'body is not JSON']);
    expect(stand.service.process.exitCode).toBeNull();
  });
});
