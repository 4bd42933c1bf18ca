import type { TranscriptMessage, TranscriptRequested } from '@relaydesk/contracts';
import { chooseAttachments, renderTranscript } from './render-transcript';

const linkOf = (id: string) => `https://desk.example.com/api/v1/attachments/${id}?link=signed-${id}`;
let nextId = 0;
const id = () => `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`;

function message(over: Partial<TranscriptMessage> = {}): TranscriptMessage {
  return { id: id(), createdAt: '2026-03-12T13:05:00.000Z', direction: 'in', kind: 'text', text: 'Hello', sender: { type: 'client', name: 'Anna Client' }, ...over };
}

function file(size: number, over: Partial<NonNullable<TranscriptMessage['attachment']>> = {}) {
  const fileId = id();
  return { id: fileId, fileName: `file-${fileId.slice(-3)}.pdf`, mimeType: 'application/pdf', size, storageKey: `attachments/${fileId}`, url: null, ...over };
}

function request(messages: TranscriptMessage[], over: Partial<TranscriptRequested> = {}): TranscriptRequested {
  return {
    transcriptId: id(),
    conversationId: id(),
    requestedBy: id(),
    requestedAt: '2026-03-12T14:00:00.000Z',
    to: ['boss@example.com'],
    subject: 'Transcript',
    timeZone: 'Europe/Berlin',
    conversation: { clientName: 'Anna Client', channel: 'whatsapp', groupName: 'Sales', assigneeName: 'Bob Operator' },
    messages,
    omittedMessages: 0,
    ...over,
  };
}

const render = (r: TranscriptRequested, attached: string[] = []) => renderTranscript(r, { attachedIds: new Set(attached), linkOf });

describe('renderTranscript', () => {
  it('D23: the header names client, channel, group and operator; messages keep their order with sender and text', () => {
    const mail = render(
      request([
        message({ text: 'first from client' }),
        message({ text: 'second from operator', direction: 'out', sender: { type: 'operator', name: 'Bob Operator' }, createdAt: '2026-03-12T13:06:00.000Z' }),
        message({ text: 'third' }),
      ]),
    );
    expect(mail.text).toContain('Client: Anna Client\nChannel: WhatsApp\nGroup: Sales\nOperator: Bob Operator');
    const order = ['first from client', 'second from operator', 'third'].map((t) => mail.text.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    expect(mail.text).toContain('Bob Operator (operator), 12 Mar 2026, 14:06\nsecond from operator');
    const htmlOrder = ['first from client', 'second from operator', 'third'].map((t) => mail.html.indexOf(t));
    expect(htmlOrder).toEqual([...htmlOrder].sort((a, b) => a - b));
    expect(mail.html).toContain('Bob Operator');
  });

  it('D23: an unassigned conversation says so', () => {
    const mail = render(request([message()], { conversation: { clientName: 'C', channel: 'telegram', groupName: 'G', assigneeName: null } }));
    expect(mail.text).toContain('Channel: Telegram\nGroup: G\nOperator: Unassigned');
  });

  it('D23: times are shown in the time zone of the request', () => {
    const at = '2026-03-12T13:05:00.000Z';
    expect(render(request([message({ createdAt: at })], { timeZone: 'Asia/Tokyo' })).text).toContain('Anna Client (client), 12 Mar 2026, 22:05');
    expect(render(request([message({ createdAt: at })], { timeZone: 'America/New_York' })).text).toContain('12 Mar 2026, 09:05');
    expect(render(request([message({ createdAt: '2026-03-12T23:30:00.000Z' })], { timeZone: 'Asia/Kolkata' })).text).toContain('13 Mar 2026, 05:00');
    const tokyo = render(request([message()], { timeZone: 'Asia/Tokyo' }));
    expect(tokyo.text).toContain('Times are in Asia/Tokyo.');
    expect(tokyo.html).toContain('22:05');
  });

  it('D23: a time zone the runtime does not know falls back to UTC and says so', () => {
    const mail = render(request([message()], { timeZone: 'Mars/Olympus_Mons' }));
    expect(mail.text).toContain('Times are in UTC.');
    expect(mail.text).toContain('12 Mar 2026, 13:05');
  });

  it('D23: all client and operator text is escaped in the HTML; emoji and any script stay intact', () => {
    const hostile = '<script>alert("x")</script> & "quoted" \'single\'';
    const mail = render(
      request([message({ text: hostile, sender: { type: 'client', name: '<b>Eve</b> & "Co"' }, attachment: file(10, { fileName: '"><img src=x onerror=alert(1)>.png' }) })], {
        conversation: { clientName: '<i>Anna</i> & Co', channel: 'webchat', groupName: 'Sales <&>', assigneeName: 'Bob "the" Op' },
      }),
    );
    expect(mail.html).not.toMatch(/<script|<b>Eve|<i>Anna|<img/);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;');
    expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(mail.html).toContain('&lt;i&gt;Anna&lt;/i&gt; &amp; Co');
    expect(mail.html).toContain('Sales &lt;&amp;&gt;');
    expect(mail.html).toContain('Bob &quot;the&quot; Op');
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png');
    expect(mail.text).toContain(hostile);

    const world = 'Привет 👋🏽 مرحبا 你好 שלום 🇺🇦 नमस्ते';
    const intact = render(request([message({ text: world, sender: { type: 'client', name: 'Юлия 🌸' } })], { conversation: { clientName: 'Юлия 🌸', channel: 'api', groupName: '支持', assigneeName: null } }));
    expect(intact.text).toContain(world);
    expect(intact.html).toContain(world);
    expect(intact.html).toContain('Юлия 🌸');
    expect(intact.text).toContain('Group: 支持');
  });

  it('D23: notes are marked and styled apart from messages', () => {
    const mail = render(request([message({ text: 'visible' }), message({ kind: 'note', text: 'only for us', direction: 'out', sender: { type: 'operator', name: 'Bob' } })]));
    expect(mail.text).toContain('[internal note]\nonly for us');
    expect(mail.text).not.toMatch(/Anna Client \(client\), [^\n]*\[internal note\]/);
    const noteBlock = mail.html.slice(mail.html.lastIndexOf('<div style="border-left', mail.html.indexOf('only for us')));
    expect(noteBlock).toContain('background:#fff8c5');
    expect(noteBlock).toContain('Internal note');
    expect(mail.html.match(/Internal note/g)).toHaveLength(1);
  });

  it('D23, D15: an operator message the channel never delivered says so, in text and HTML', () => {
    const bob = { type: 'operator' as const, name: 'Bob' };
    const mail = render(request([message({ direction: 'out', sender: bob, text: 'reached the client' }), message({ direction: 'out', sender: bob, text: 'never arrived', notDelivered: true })]));
    expect(mail.text).toMatch(/\[not delivered\]\nnever arrived/);
    expect(mail.text).not.toMatch(/\[not delivered\]\nreached the client/);
    expect(mail.html.match(/Not delivered/g)).toHaveLength(1);
    expect(mail.html.indexOf('Not delivered')).toBeGreaterThan(mail.html.indexOf('reached the client'));
  });

  it('D23: "N earlier messages not included" only when messages were left out', () => {
    expect(render(request([message()], { omittedMessages: 3 })).text).toContain('3 earlier messages not included.');
    expect(render(request([message()], { omittedMessages: 1 })).html).toContain('1 earlier message not included.');
    expect(render(request([message()])).text).not.toContain('not included');
  });

  it('D23: attached files are named as attached; others and url-only files are signed links to the app', () => {
    const attached = file(100);
    const tooBig = file(5000);
    const remote = file(10, { storageKey: null, url: 'https://cdn.example.com/x' });
    const mail = render(request([message({ kind: 'file', text: null, attachment: attached }), message({ kind: 'file', attachment: tooBig }), message({ kind: 'file', attachment: remote })]), [attached.id]);
    expect(mail.text).toContain(`File (attached): ${attached.fileName}, 100 B`);
    expect(mail.text).toContain(`File: ${tooBig.fileName}, 5 KB: ${linkOf(tooBig.id)}`);
    expect(mail.text).toContain(linkOf(remote.id));
    expect(mail.text).not.toContain('cdn.example.com');
    expect(mail.html).toContain(`<a href="${linkOf(tooBig.id)}">${tooBig.fileName}</a>`);
    expect(mail.html).toContain('(100 B, attached)');
  });
});

describe('chooseAttachments', () => {
  it('D23: attaches stored files in order while they fit the limit; beyond it and url-only files are left for links', () => {
    const a = file(400);
    const b = file(700);
    const c = file(300);
    const remote = file(1, { storageKey: null, url: 'https://cdn.example.com/y' });
    const messages = [a, b, remote, c].map((attachment) => message({ kind: 'file', attachment }));
    expect(chooseAttachments(messages, 1000).map((f) => f.id)).toEqual([a.id, c.id]);
    expect(chooseAttachments(messages, 1100).map((f) => f.id)).toEqual([a.id, b.id]);
    expect(chooseAttachments(messages, 0)).toEqual([]);
    expect(chooseAttachments([message()], 1000)).toEqual([]);
  });
});
