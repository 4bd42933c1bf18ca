import { createTestEnv, startStack, TestSmtpServer, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';

type Message = { id: string; kind: string; text: string | null };

/** D23 through the whole stack: the gateway takes the request, the notification service mails it to a real SMTP server. */
describe('transcripts', () => {
  let env: TestEnv;
  let smtp: TestSmtpServer;
  let stack: Stack;
  let db: Client;
  let ann: HttpClient; // Sales
  let sam: HttpClient; // Support
  let olga: string; // Olga's conversation, in Sales, Ann's
  let pavel: string; // Pavel's conversation, in Sales

  const conversationOf = (who: HttpClient, client: string): Promise<string> =>
    waitFor(`${client}'s conversation`, async () => ((await who.get('/api/v1/conversations?tab=unassigned&limit=100')).body.items as { id: string; client: { name: string } }[]).find((i) => i.client.name === client)?.id);
  const messagesOf = async (conversationId: string): Promise<Message[]> => (await ann.get(`/api/v1/conversations/${conversationId}/messages`)).body.items;
  const transcriptRows = async () => Number((await db.query('SELECT count(*) FROM conversation.transcript')).rows[0].count);
  const settled = (id: string) =>
    waitFor(`transcript ${id} settled`, async () => {
      const answer = await ann.get(`/api/v1/transcripts/${id}`);
      return answer.body.status === 'queued' ? undefined : answer.body;
    });
  const mailTo = (address: string) => waitFor(`mail to ${address}`, async () => smtp.accepted.find((m) => JSON.stringify(m.to).includes(address)));

  beforeAll(async () => {
    env = await createTestEnv();
    smtp = await TestSmtpServer.start();
    stack = await startStack(env.env, { SMTP_URL: smtp.url, MAIL_RETRY_DELAYS_MS: '200,400' });
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const workspace = await Workspace.open(stack);
    const sales = await workspace.group('Sales');
    const support = await workspace.group('Support');
    ann = (await workspace.operator('Ann Smith', [sales])).api;
    sam = (await workspace.operator('Sam', [support])).api;
    const send = (await workspace.apiChannel(sales)).send;
    await send('Olga Петрова', 'Hello, my order <b>1042</b> is late 😡');
    olga = await conversationOf(ann, 'Olga Петрова');
    expect((await ann.post(`/api/v1/conversations/${olga}/take`)).status).toBe(200);
    expect((await ann.post(`/api/v1/conversations/${olga}/messages`, { text: 'Sorry! It ships today 📦' })).status).toBe(201);
    expect((await ann.post(`/api/v1/conversations/${olga}/notes`, { text: 'internal: VIP client' })).status).toBe(201);
    await send('Olga Петрова', 'Thank you & bye');
    await send('Pavel', 'Hi');
    pavel = await conversationOf(ann, 'Pavel');
    await waitFor('Olga’s four messages', async () => (await messagesOf(olga)).filter((m) => m.kind !== 'event').length === 4);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await smtp?.down();
    await env?.dispose();
  });

  it('D23: the whole conversation goes by mail: 202 at once, then sent; messages in order with senders, notes left out, names and emoji intact', async () => {
    const asked = await ann.post(`/api/v1/conversations/${olga}/transcript`, { to: 'boss@example.com', subject: 'Olga — order 1042' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ id: expect.any(String), conversationId: olga, status: 'queued' });
    expect((await settled(asked.body.id)).status).toBe('sent');

    const mail = await mailTo('boss@example.com');
    expect(mail.subject).toBe('Olga — order 1042');
    const text = mail.text ?? '';
    const order = ['Hello, my order <b>1042</b> is late 😡', 'Sorry! It ships today 📦', 'Thank you & bye'].map((t) => text.indexOf(t));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('Olga Петрова');
    expect(text).toContain('Ann Smith');
    expect(text).toContain('Sales');
    expect(text).not.toContain('VIP client');
    expect(mail.html).toContain('&lt;b&gt;1042&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>1042</b>');
  });

  it('D23: only the chosen messages, times in the asked time zone, a chosen note included', async () => {
    const all = await messagesOf(olga);
    const reply = all.find((m) => m.text === 'Sorry! It ships today 📦')!;
    const note = all.find((m) => m.kind === 'note')!;
    const asked = await ann.post(`/api/v1/conversations/${olga}/transcript`, { to: ['chosen@example.com'], subject: 'Two of them', messageIds: [note.id, reply.id], timeZone: 'Asia/Tokyo' });
    expect(asked.status).toBe(202);
    expect((await settled(asked.body.id)).status).toBe('sent');
    const text = (await mailTo('chosen@example.com')).text ?? '';
    expect(text).toContain('Sorry! It ships today 📦');
    expect(text).toContain('internal: VIP client');
    expect(text).not.toContain('Thank you & bye');
    expect(text).toMatch(/Asia\/Tokyo|GMT\+9|JST/);
  });

  it('D23: the SMTP server refusing the recipient for good gives failed with its reason', async () => {
    const asked = await ann.post(`/api/v1/conversations/${olga}/transcript`, { to: 'refuse-me@example.com', subject: 'Nobody' });
    const done = await settled(asked.body.id);
    expect(done).toMatchObject({ status: 'failed', error: expect.stringMatching(/550|no such user/) });
  });

  it('D23: a server that refuses one of two recipients takes the mail for the other: sent, naming the refused one', async () => {
    const asked = await ann.post(`/api/v1/conversations/${olga}/transcript`, { to: ['refuse-me@example.com', 'kept@example.com'], subject: 'Half of it' });
    const done = await settled(asked.body.id);
    expect(done).toMatchObject({ status: 'sent', refusedRecipients: ['refuse-me@example.com'] });
    expect((await mailTo('kept@example.com')).subject).toBe('Half of it');
  });

  it('D23: bad addresses, header injection, too many ids, ids of another conversation, unknown time zones: 400 and nothing queued', async () => {
    const mine = (await messagesOf(olga))[0]!.id;
    const other = (await messagesOf(pavel))[0]!.id;
    const before = await transcriptRows();
    const bodies: Record<string, unknown>[] = [
      { to: 'not-an-address', subject: 'x' },
      { to: 'a@example.com\r\nBcc: victim@example.com', subject: 'x' },
      { to: 'a@example.com', subject: 'Hi\r\nBcc: victim@example.com' },
      { to: 'a@example.com', subject: '   ' },
      { to: 'a@example.com', subject: 'x', messageIds: Array.from({ length: 1001 }, () => mine) },
      { to: 'a@example.com', subject: 'x', messageIds: [mine, other] },
      { to: 'a@example.com', subject: 'x', timeZone: 'Mars/Olympus_Mons' },
      { to: 'a@example.com', subject: 'x', names: { operators: {}, groups: {} } },
      { to: [], subject: 'x' },
    ];
    for (const body of bodies) {
      const answer = await ann.post(`/api/v1/conversations/${olga}/transcript`, body);
      const label = JSON.stringify(body).slice(0, 90);
      expect({ label, status: answer.status, code: answer.body.error?.code }).toEqual({ label, status: 400, code: 'validation_failed' });
    }
    // 10,000 ids are more bytes than any API body may be: refused before it is read.
    const huge = await ann.post(`/api/v1/conversations/${olga}/transcript`, { to: 'a@example.com', subject: 'x', messageIds: Array.from({ length: 10_000 }, () => mine) });
    expect({ status: huge.status, code: huge.body.error?.code }).toEqual({ status: 413, code: 'payload_too_large' });
    expect(await transcriptRows()).toBe(before);
  });

  it('D23: a conversation the caller may not open, and its transcripts, do not exist for him (D34)', async () => {
    const asked = await sam.post(`/api/v1/conversations/${olga}/transcript`, { to: 'a@example.com', subject: 'x' });
    expect(asked.status).toBe(404);
    const [{ id }] = (await db.query('SELECT id FROM conversation.transcript LIMIT 1')).rows;
    expect((await sam.get(`/api/v1/transcripts/${id}`)).status).toBe(404);
    expect((await ann.get('/api/v1/transcripts/0193a5b0-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await ann.get('/api/v1/transcripts/nope')).status).toBe(400);
  });

  it('D23: a file sent in the conversation arrives attached to the mail, byte for byte', async () => {
    expect((await ann.post(`/api/v1/conversations/${pavel}/take`)).status).toBe(200);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('Счёт № 7 🧾 '.repeat(200))]);
    const body = new FormData();
    body.append('file', new Blob([pdf], { type: 'application/pdf' }), 'счёт-7.pdf');
    expect((await ann.postForm(`/api/v1/conversations/${pavel}/messages`, body)).status).toBe(201);
    const asked = await ann.post(`/api/v1/conversations/${pavel}/transcript`, { to: 'files@example.com', subject: 'With the invoice' });
    expect((await settled(asked.body.id)).status).toBe('sent');
    const mail = await mailTo('files@example.com');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.equals(pdf)])).toEqual([['счёт-7.pdf', 'application/pdf', true]]);

    // The mail's link to the file opens for its reader, who has no Relaydesk login; only for that file.
    const link = new URL(String(mail.html).match(/href="([^"]*\/api\/v1\/attachments\/[^"]*)"/)![1]!.replace(/&amp;/g, '&'));
    const opened = await fetch(`${stack.gateway.url}${link.pathname}${link.search}`);
    expect({ status: opened.status, bytes: Buffer.from(await opened.arrayBuffer()).equals(pdf) }).toEqual({ status: 200, bytes: true });
    const token = link.searchParams.get('link')!;
    const refused = async (path: string) => {
      const answer = await fetch(`${stack.gateway.url}${path}`);
      return { status: answer.status, message: ((await answer.json()) as { error: { message: string } }).error.message };
    };
    const [, attachmentId] = link.pathname.match(/attachments\/(.+)$/)!;
    const otherId = (await messagesOf(olga))[0]!.id;
    expect(await refused(`/api/v1/attachments/${otherId}?link=${token}`)).toEqual({ status: 401, message: 'This file link is for another file' });
    expect(await refused(`/api/v1/attachments/${attachmentId}?link=${token.slice(0, -2)}xx`)).toEqual({ status: 401, message: expect.stringMatching(/not valid/) });
    expect(await refused(`/api/v1/attachments/${attachmentId}?link=${token}&link=${token}`)).toMatchObject({ status: 400 });
    expect((await fetch(`${stack.gateway.url}/api/v1/attachments/${attachmentId}`)).status).toBe(401);
  });
});
