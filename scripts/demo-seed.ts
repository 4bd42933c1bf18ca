import { HttpClient } from '@relaydesk/testing';
import { seedPlatformChannels, type DemoPlatforms } from './demo-platforms';

export const demoPeople = [
  { name: 'Anna Petrova', email: 'anna@relaydesk.local', groups: ['Sales'] },
  { name: 'Boris Klein', email: 'boris@relaydesk.local', groups: ['Sales', 'Support'] },
  { name: 'Chen Wei', email: 'chen@relaydesk.local', groups: ['Support'] },
];
export const demoPassword = 'relaydesk-demo';

const clients = [
  ['Maria Lopez', 'Hola, ¿mi pedido #4411 ya salió? 📦'],
  ['Олег Смирнов', 'Здравствуйте! Не приходит код подтверждения'],
  ['Yuki Tanaka', 'Can I change the delivery address?'],
  ['Fatima Zahra', 'The app crashes when I open my invoices 😕'],
  ['John Smith', 'Do you ship to Canada?'],
  ['Lena Fischer', 'Ich möchte mein Abo kündigen'],
  ['Ahmed Ali', 'Refund for order 9921 please'],
  ['Chloé Martin', 'Merci pour votre aide ! 🙏'],
  ['Priya Nair', 'Is there a student discount?'],
  ['Tom Novak', 'My card was charged twice'],
  ['Sofia Rossi', 'Where can I download the receipt?'],
  ['Wang Fang', '你好，我想咨询一下退货流程'],
] as const;

/** Visitors of the website chat, in Sales: what Anna, who is in Sales alone, finds on logging in. */
const webVisitors = [
  ['Zoë Wren', 'Hi! Do you have the blue model in size M? 👕'],
  ['Pedro Alves', 'Is there a discount for a yearly plan?'],
  ['Nina Berg', 'Can I pay by invoice as a company?'],
] as const;

/** The ingestion addresses a browser of this machine may use: the widget's pages come from there. */
const demoOrigins = ['http://localhost:8081', 'http://127.0.0.1:8081'];

/** The demo's webchat channel (made in Sales when a demo seeded before it had none): the one a person plays client on. */
async function demoWebchatChannel(root: HttpClient): Promise<string> {
  const channels = (await root.get<{ items: { id: string; type: string }[] }>('/api/v1/channels')).body.items;
  const present = channels.find((c) => c.type === 'webchat');
  if (present) return present.id;
  const groups = (await root.get<{ items: { id: string; name: string }[] }>('/api/v1/groups')).body.items;
  const groupId = (groups.find((g) => g.name === 'Sales') ?? groups[0])?.id;
  const created = await root.post<{ id: string }>('/api/v1/channels', { type: 'webchat', name: 'Website chat', groupId, settings: { allowedOrigins: demoOrigins } });
  if (created.status !== 201) throw new Error(`demo webchat channel: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

/**
 * Admin, two groups, three operators, a webchat, an api, a WhatsApp and a Telegram channel (the last
 * two on local stand-ins), a dozen conversations in every state in Support and three website chats in Sales. Answers whether it seeded now, and the webchat channel whose demo page plays the client.
 */
export async function seedDemo(gatewayUrl: string, ingestionUrl: string, admin: { email: string; password: string }, platforms: DemoPlatforms): Promise<{ seeded: boolean; webchatChannelId: string }> {
  const api = new HttpClient(gatewayUrl);
  const login = async (email: string, password: string) => api.bearer((await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password })).body.accessToken);
  const root = await login(admin.email, admin.password);
  const existing = (await root.get<{ items: { id: string; name: string }[] }>('/api/v1/groups')).body.items;
  const support = existing.find((g) => g.name === 'Support')?.id;
  if (support) {
    await seedPlatformChannels(root, ingestionUrl, support, platforms);
    return { seeded: false, webchatChannelId: await demoWebchatChannel(root) };
  }

  const groups: Record<string, string> = {};
  for (const name of ['Sales', 'Support']) groups[name] = (await root.post<{ id: string }>('/api/v1/groups', { name })).body.id;
  for (const p of demoPeople) {
    await root.post('/api/v1/operators', { name: p.name, email: p.email, password: demoPassword, role: 'operator', groupIds: p.groups.map((g) => groups[g]!) });
  }
  const webchatChannelId = await demoWebchatChannel(root);
  const apiKey = `demo-connector-${Date.now()}-key-0000`;
  const connector = (await root.post<{ id: string }>('/api/v1/channels', { type: 'api', name: 'Demo connector', groupId: groups['Support'], settings: { apiKey } })).body;

  await seedPlatformChannels(root, ingestionUrl, groups['Support']!, platforms);
  const ingest = new HttpClient(ingestionUrl).bearer(apiKey);
  for (const [i, [name, text]] of clients.entries()) {
    await ingest.post('/ingest/v1/messages', { channel: 'api', channelId: connector.id, externalClientId: `demo-${i}`, clientName: name, externalMessageId: `demo-${i}-1`, sentAt: new Date().toISOString(), text });
  }
  const widget = new HttpClient(ingestionUrl).with({ origin: demoOrigins[0]! });
  for (const [i, [name, text]] of webVisitors.entries()) {
    const { token } = (await widget.post<{ token: string }>(`/ingest/v1/webchat/${webchatChannelId}/sessions`, { name })).body;
    await widget.bearer(token).post(`/ingest/v1/webchat/${webchatChannelId}/messages`, { text, clientMessageId: `demo-web-${i}` });
  }
  const listed = async (who: HttpClient) => {
    for (let tries = 0; tries < 100; tries++) {
      const items = (await who.get<{ items: { id: string; client: { name: string } }[] }>('/api/v1/conversations?tab=unassigned&limit=100')).body.items;
      if (items.length >= clients.length + 2 + webVisitors.length) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('demo conversations did not arrive');
  };
  const waiting = await listed(root);
  const conversations = waiting.filter((c) => clients.some(([name]) => name === c.client.name));
  const anna = await login('anna@relaydesk.local', demoPassword);
  const zoe = waiting.find((c) => c.client.name === webVisitors[0][0]);
  if (zoe) {
    await anna.post(`/api/v1/conversations/${zoe.id}/take`);
    await anna.post(`/api/v1/conversations/${zoe.id}/read`);
    await anna.post(`/api/v1/conversations/${zoe.id}/messages`, { text: 'Hi Zoë! Yes, size M is in stock. Shall I reserve one for you? 🙂' });
  }
  const boris = await login('boris@relaydesk.local', demoPassword);
  const chen = await login('chen@relaydesk.local', demoPassword);
  // Four in inboxes (two answered), three closed, the rest left in Unassigned; each taken one tagged (D24, D25).
  const demoTags = ['Refund', 'Delivery', 'Complaint'];
  for (const [k, conv] of conversations.slice(0, 7).entries()) {
    const who = k % 2 === 0 ? boris : chen;
    await who.post(`/api/v1/conversations/${conv.id}/take`);
    const [first] = (await who.get<{ items: { id: string }[] }>(`/api/v1/conversations/${conv.id}/messages`)).body.items;
    if (first) await who.post(`/api/v1/conversations/${conv.id}/tags`, { messageIds: [first.id], tagName: demoTags[k % demoTags.length] });
    if (k < 5) await who.post(`/api/v1/conversations/${conv.id}/read`);
    if (k < 5) await who.post(`/api/v1/conversations/${conv.id}/messages`, { text: `Hello ${conv.client.name.split(' ')[0]}, let me check that for you 🙂` });
    if (k >= 4) await who.post(`/api/v1/conversations/${conv.id}/close`);
  }
  return { seeded: true, webchatChannelId };
}
