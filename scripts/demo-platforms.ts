import type { HttpClient} from '@relaydesk/testing';
import { postWhatsappWebhook, TelegramStandIn, whatsappWebhookBody, WhatsappStandIn } from '@relaydesk/testing';

/** Local stand-ins for the WhatsApp Cloud API and the Telegram Bot API: the demo's platforms. */
export type DemoPlatforms = { whatsapp: WhatsappStandIn; telegram: TelegramStandIn };

const whatsapp = { phoneNumberId: '100000000000001', accessToken: 'demo-whatsapp-access-token', appSecret: 'demo-whatsapp-app-secret', verifyToken: 'demo-whatsapp-verify-token' };
const telegram = { botToken: '100000001:demo-telegram-bot-token', secretToken: 'demo-telegram-secret-token' };

export async function startDemoPlatforms(ports: { whatsapp: number; telegram: number }): Promise<DemoPlatforms> {
  return {
    // Lena (seeded) and one more number have WhatsApp, for the outgoing dialog (FEATURE_OUTGOING_WHATSAPP=true).
    whatsapp: await WhatsappStandIn.start({ accessToken: whatsapp.accessToken, port: ports.whatsapp, withWhatsApp: ['+4915112340001', '+4917012345678'] }),
    telegram: await TelegramStandIn.start({ botToken: telegram.botToken, port: ports.telegram }),
  };
}

type Listed = { items: { id: string; type: string }[] };

/**
 * A WhatsApp and a Telegram channel in `groupId` that talk to the stand-ins, each with a client who
 * wrote once when the channel was made. Telegram's webhook is registered again at every start: the
 * stand-in forgets it when it stops.
 */
export async function seedPlatformChannels(root: HttpClient, ingestionUrl: string, groupId: string, platforms: DemoPlatforms): Promise<void> {
  const present = (await root.get<Listed>('/api/v1/channels')).body.items;
  let whatsappId = present.find((c) => c.type === 'whatsapp')?.id;
  if (!whatsappId) {
    whatsappId = await create(root, { type: 'whatsapp', name: 'WhatsApp', groupId, settings: { ...whatsapp, apiBaseUrl: platforms.whatsapp.apiBaseUrl } });
    const from = '4915112340001';
    const body = whatsappWebhookBody(whatsapp.phoneNumberId, { messages: [{ from, id: 'wamid.demo.1', type: 'text', text: { body: 'Hallo! Is my order #4711 on its way? 📦' } }], names: { [from]: 'Lena Schmidt' } });
    await postWhatsappWebhook(ingestionUrl, whatsappId, whatsapp.appSecret, body);
  }
  platforms.whatsapp.webhook = { ingestionUrl, channelId: whatsappId, appSecret: whatsapp.appSecret, phoneNumberId: whatsapp.phoneNumberId };
  let telegramId = present.find((c) => c.type === 'telegram')?.id;
  const fresh = !telegramId;
  telegramId ??= await create(root, { type: 'telegram', name: 'Telegram', groupId, settings: { ...telegram, apiBaseUrl: platforms.telegram.apiBaseUrl } });
  const registered = await root.post(`/api/v1/channels/${telegramId}/telegram/webhook`);
  if (registered.status !== 200) throw new Error(`demo telegram webhook: ${registered.status} ${JSON.stringify(registered.body)}`);
  if (fresh) await platforms.telegram.deliver(platforms.telegram.clientMessage({ id: 700000001, firstName: 'Ivan', lastName: 'Petrov' }, { text: 'Добрый день! Can I change my delivery address?' }));
}

async function create(root: HttpClient, body: Record<string, unknown>): Promise<string> {
  const created = await root.post<{ id: string }>('/api/v1/channels', body);
  if (created.status !== 201) throw new Error(`demo ${String(body['type'])} channel: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}
