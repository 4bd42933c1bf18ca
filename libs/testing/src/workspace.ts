import type { Permission } from '@relaydesk/contracts';
import { HttpClient } from './http-client';
import type { Stack } from './services';

/**
 * A running stack as its people see it: log in, make groups, operators and an `api` channel, and
 * send client messages through ingestion as a connector would. Integration tests start from here.
 */
export class Workspace {
  private sent = 0;

  private constructor(
    readonly stack: Stack,
    readonly admin: HttpClient,
  ) {}

  static async open(stack: Stack): Promise<Workspace> {
    return new Workspace(stack, await login(stack, stack.admin.email, stack.admin.password));
  }

  login(email: string, password: string): Promise<HttpClient> {
    return login(this.stack, email, password);
  }

  async group(name: string): Promise<string> {
    const created = await this.admin.post<{ id: string }>('/api/v1/groups', { name });
    if (created.status !== 201) throw new Error(`group ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  /** An operator named `name` (email `<name>@relaydesk.test`), logged in. */
  async operator(name: string, groupIds: string[], permissions: Permission[] = []): Promise<{ id: string; api: HttpClient }> {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@relaydesk.test`;
    const password = `${name}-password`;
    const created = await this.admin.post<{ id: string }>('/api/v1/operators', { name, email, password, role: 'operator', permissions, groupIds });
    if (created.status !== 201) throw new Error(`operator ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return { id: created.body.id, api: await this.login(email, password) };
  }

  /** An `api` channel in `groupId`, and a way to send client messages through it. */
  async apiChannel(groupId: string, apiKey = `key-${groupId}`): Promise<{ id: string; send: (client: string, text: string, extra?: Record<string, unknown>) => Promise<unknown> }> {
    const created = await this.admin.post<{ id: string }>('/api/v1/channels', { type: 'api', name: 'Connector', groupId, settings: { apiKey } });
    if (created.status !== 201) throw new Error(`api channel: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const ingest = new HttpClient(this.stack.ingestion.url).bearer(apiKey);
    const send = (client: string, text: string, extra: Record<string, unknown> = {}) =>
      ingest.post('/ingest/v1/messages', { channel: 'api', channelId: id, externalClientId: client, clientName: client, externalMessageId: `${client}-${++this.sent}`, sentAt: new Date().toISOString(), text, ...extra });
    return { id, send };
  }
}

async function login(stack: Stack, email: string, password: string): Promise<HttpClient> {
  const api = new HttpClient(stack.gateway.url);
  const answer = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password });
  if (answer.status !== 200) throw new Error(`login ${email}: ${answer.status}`);
  return api.bearer(answer.body.accessToken);
}
