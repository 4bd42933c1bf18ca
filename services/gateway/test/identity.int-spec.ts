import { randomUUID } from 'node:crypto';
import { permissions } from '@relaydesk/contracts';
import { createTestEnv, startService, waitFor, type RunningService, type TestEnv } from '@relaydesk/testing';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';

const ADMIN_EMAIL = 'admin@relaydesk.test';
let adminPassword = 'admin password 1';

 
type Answer = { status: number; body: any; headers: Headers };
type CallOptions = { token?: string; body?: unknown; raw?: string; address?: string; headers?: Record<string, string> };

describe('gateway identity', () => {
  let env: TestEnv;
  let gateway: RunningService;
  let adminToken: string;
  let adminId: string;
  let addresses = 0;

  const start = () =>
    startService('gateway', { ...env.env, ADMIN_EMAIL, ADMIN_PASSWORD: 'admin password 1', BCRYPT_ROUNDS: '4', TRUST_PROXY: 'loopback' });

  /** Each login comes from an address of its own unless a test says otherwise, so the per-address limit stays out of the way. */
  const freshAddress = () => `198.51.100.${++addresses % 250}`;

  async function call(method: string, path: string, { token, body, raw, address = freshAddress(), headers = {} }: CallOptions = {}): Promise<Answer> {
    const res = await fetch(`${gateway.url}/api/v1${path}`, {
      method,
      headers: {
        'x-forwarded-for': address,
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  function expectError(answer: Answer, status: number, code: string, messagePart?: string | RegExp): void {
    expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
    expect(typeof answer.body.error.message).toBe('string');
    if (messagePart) expect(answer.body.error.message).toMatch(messagePart);
  }

  async function login(email: string, password: string, address?: string): Promise<Answer> {
    return call('POST', '/auth/login', { body: { email, password }, ...(address ? { address } : {}) });
  }

  async function makeGroup(name = `group ${randomUUID().slice(0, 8)}`): Promise<string> {
    const answer = await call('POST', '/groups', { token: adminToken, body: { name } });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  }

  async function makeOperator(fields: Record<string, unknown> = {}): Promise<{ id: string; email: string; token: string }> {
    const email = `op-${randomUUID().slice(0, 8)}@example.com`;
    const created = await call('POST', '/operators', {
      token: adminToken,
      body: { name: `Operator ${email}`, email, password: 'operator password', role: 'operator', ...fields },
    });
    expect(created.status).toBe(201);
    const loggedIn = await login(email, 'operator password');
    expect(loggedIn.status).toBe(200);
    return { id: created.body.id, email, token: loggedIn.body.accessToken };
  }

  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    env = await createTestEnv();
    gateway = await start();
    const answer = await login(ADMIN_EMAIL, adminPassword);
    expect(answer.status).toBe(200);
    adminToken = answer.body.accessToken;
    adminId = answer.body.operator.id;
  });

  afterAll(async () => {
    await gateway?.stop();
    await env?.dispose();
  });

  describe('login', () => {
    it('answers an access token and the operator for the right password', async () => {
      const answer = await login(ADMIN_EMAIL.toUpperCase(), adminPassword);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        accessToken: expect.any(String),
        operator: { id: adminId, name: 'Administrator', email: ADMIN_EMAIL, role: 'super_admin', permissions: [...permissions], groupIds: [], active: true },
      });
      expect(jwt.decode(answer.body.accessToken)).toMatchObject({ sub: adminId });
    });

    it('answers 401 with one message for an unknown email and for a wrong password', async () => {
      const unknown = await login('nobody@example.com', adminPassword);
      const wrong = await login(ADMIN_EMAIL, 'not the password');
      expectError(unknown, 401, 'unauthorized');
      expectError(wrong, 401, 'unauthorized');
      expect(unknown.body.error.message).toBe(wrong.body.error.message);
    });

    it('after 10 failed logins for an email from one address answers 429 with Retry-After there, even with the right password; the operator still logs in from his own address', async () => {
      const { email } = await makeOperator();
      const stranger = '198.51.100.23';
      for (let attempt = 1; attempt <= 10; attempt++) expectError(await login(email, 'wrong password', stranger), 401, 'unauthorized');
      const limited = await login(email, 'operator password', stranger);
      expectError(limited, 429, 'rate_limited', /failed logins/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
      expect((await login(email, 'operator password', '203.0.113.5')).status).toBe(200);
    });

    it('after 100 failed logins for an email spread over many addresses answers 429 from any address', async () => {
      const { email } = await makeOperator();
      for (let attempt = 1; attempt <= 100; attempt++) expectError(await login(email, 'wrong password', `198.18.${Math.floor(attempt / 10)}.${attempt % 10}`), 401, 'unauthorized');
      expectError(await login(email, 'operator password', '203.0.113.6'), 429, 'rate_limited', /failed logins/);
    });

    it('after 30 login attempts from one address in a minute answers 429 with Retry-After', async () => {
      const address = '192.0.2.77';
      for (let attempt = 1; attempt <= 30; attempt++) {
        expectError(await login(`guess-${attempt}@example.com`, 'some password', address), 401, 'unauthorized');
      }
      const limited = await login(ADMIN_EMAIL, adminPassword, address);
      expectError(limited, 429, 'rate_limited', /this address/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await login(ADMIN_EMAIL, adminPassword)).status).toBe(200);
    });
  });

  describe('me and permissions', () => {
    it('D1: super_admin has every permission', async () => {
      const me = await call('GET', '/me', { token: adminToken });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: adminId, name: 'Administrator', email: ADMIN_EMAIL, role: 'super_admin', permissions: [...permissions], groupIds: [] });
    });

    it('D1: an operator has the permissions granted to him, and a change of role, permissions or groups takes effect on his next requests', async () => {
      const group = await makeGroup();
      const ann = await makeOperator({ permissions: ['conversations.view_all'] });
      const me = await call('GET', '/me', { token: ann.token });
      expect(me.body).toMatchObject({ id: ann.id, role: 'operator', permissions: ['conversations.view_all'], groupIds: [] });

      const patched = await call('PATCH', `/operators/${ann.id}`, { token: adminToken, body: { permissions: ['analytics.view'], groupIds: [group] } });
      expect(patched.status).toBe(200);
      await waitFor('new permissions and groups', async () => {
        const now = (await call('GET', '/me', { token: ann.token })).body;
        return now.permissions.join() === 'analytics.view' && now.groupIds.join() === group;
      });

      expect((await call('PATCH', `/operators/${ann.id}`, { token: adminToken, body: { role: 'super_admin' } })).status).toBe(200);
      await waitFor('super_admin with every permission', async () => {
        const now = (await call('GET', '/me', { token: ann.token })).body;
        return now.role === 'super_admin' && now.permissions.length === permissions.length;
      });
      expect((await call('PATCH', `/operators/${ann.id}`, { token: adminToken, body: { role: 'operator' } })).status).toBe(200);
      await waitFor('back to operator', async () => (await call('GET', '/me', { token: ann.token })).body.role === 'operator');
    });
  });

  describe('operators', () => {
    it('creates an operator, with his email in lower case, who then logs in with any case of it', async () => {
      const group = await makeGroup();
      const email = `Bob-${randomUUID().slice(0, 8)}@Example.com`;
      const created = await call('POST', '/operators', {
        token: adminToken,
        body: { name: 'Bob 🙂', email, password: 'bob password', role: 'operator', permissions: ['conversations.manage'], groupIds: [group, group] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Bob 🙂',
        email: email.toLowerCase(),
        role: 'operator',
        permissions: ['conversations.manage'],
        groupIds: [group],
        active: true,
      });
      const loggedIn = await login(email.toUpperCase(), 'bob password');
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.operator).toEqual(created.body);
    });

    it('answers 409 for an email that exists already, in any case', async () => {
      const { email } = await makeOperator();
      const again = await call('POST', '/operators', {
        token: adminToken,
        body: { name: 'Copy', email: email.toUpperCase(), password: 'operator password', role: 'operator' },
      });
      expectError(again, 409, 'conflict', email);
    });

    it('answers 400 naming the group ids that are no group, and creates nothing', async () => {
      const known = await makeGroup();
      const unknown = randomUUID();
      const email = `ghost-${randomUUID().slice(0, 8)}@example.com`;
      const answer = await call('POST', '/operators', {
        token: adminToken,
        body: { name: 'Ghost', email, password: 'ghost password', role: 'operator', groupIds: [known, unknown] },
      });
      expectError(answer, 400, 'validation_failed', unknown);
      expect(answer.body.error.message).not.toContain(known);
      expectError(await login(email, 'ghost password'), 401, 'unauthorized');
      const patch = await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: { groupIds: [unknown] } });
      expectError(patch, 400, 'validation_failed', unknown);
    });

    it('patches name, groups and password; the old password stops working', async () => {
      const [g1, g2] = [await makeGroup(), await makeGroup()];
      const ann = await makeOperator({ groupIds: [g1] });
      const patched = await call('PATCH', `/operators/${ann.id}`, { token: adminToken, body: { name: 'Ann Renamed', groupIds: [g2], password: 'new password 1' } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: ann.id, name: 'Ann Renamed', email: ann.email, role: 'operator', groupIds: [g2] });
      expectError(await login(ann.email, 'operator password'), 401, 'unauthorized');
      expect((await login(ann.email, 'new password 1')).status).toBe(200);
    });

    it('changes an operator\'s email: he logs in with the new one only; one another operator has, in any case, is 409', async () => {
      const [dee, eli] = [await makeOperator(), await makeOperator()];
      const email = `Dee.New-${randomUUID().slice(0, 8)}@Example.com`;
      const patched = await call('PATCH', `/operators/${dee.id}`, { token: adminToken, body: { email } });
      expect(patched.body).toMatchObject({ id: dee.id, email: email.toLowerCase() });
      expect((await login(email.toLowerCase(), 'operator password')).status).toBe(200);
      expectError(await login(dee.email, 'operator password'), 401, 'unauthorized');
      expect((await call('GET', '/me', { token: dee.token })).body.email).toBe(email.toLowerCase());
      expectError(await call('PATCH', `/operators/${eli.id}`, { token: adminToken, body: { email: email.toUpperCase() } }), 409, 'conflict', /already exists/);
      expectError(await call('PATCH', `/operators/${eli.id}`, { token: adminToken, body: { email: 'not an address' } }), 400, 'validation_failed', /email/);
    });

    it('a password change refuses the access tokens issued before it, and the new login works', async () => {
      const bea = await makeOperator();
      expect((await call('GET', '/me', { token: bea.token })).status).toBe(200);
      expect((await call('PATCH', `/operators/${bea.id}`, { token: adminToken, body: { password: 'changed password 1' } })).status).toBe(200);
      expectError(await call('GET', '/me', { token: bea.token }), 401, 'unauthorized', /password changed/);
      const again = await login(bea.email, 'changed password 1');
      expect((await call('GET', '/me', { token: again.body.accessToken })).status).toBe(200);
    });

    it('a deactivated operator can neither log in nor use his tokens, and is listed as inactive; reactivated, he logs in anew', async () => {
      const cy = await makeOperator();
      const off = await call('PATCH', `/operators/${cy.id}`, { token: adminToken, body: { active: false } });
      expect(off.body).toMatchObject({ id: cy.id, active: false });
      expectError(await call('GET', '/me', { token: cy.token }), 401, 'unauthorized', /deactivated/);
      expectError(await login(cy.email, 'operator password'), 401, 'unauthorized', /deactivated/);
      expectError(await login(cy.email, 'a guess'), 401, 'unauthorized', /Email or password is wrong/);
      expect((await call('GET', '/operators', { token: adminToken })).body.items.find((o: { id: string }) => o.id === cy.id)).toMatchObject({ active: false });
      expect((await call('PATCH', `/operators/${cy.id}`, { token: adminToken, body: { active: true } })).body.active).toBe(true);
      const again = await login(cy.email, 'operator password');
      expect(again.status).toBe(200);
      expect((await call('GET', '/me', { token: again.body.accessToken })).status).toBe(200);
      expectError(await call('GET', '/me', { token: cy.token }), 401, 'unauthorized', /no longer valid/);
    });

    it('a super_admin cannot deactivate himself; active must be a boolean', async () => {
      expectError(await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: { active: false } }), 409, 'conflict', /yourself/);
      expectError(await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: { active: 'no' } }), 400, 'validation_failed', /active/);
      expect((await call('GET', '/me', { token: adminToken })).status).toBe(200);
    });

    it('answers 404 for patching an operator that does not exist', async () => {
      expectError(await call('PATCH', `/operators/${randomUUID()}`, { token: adminToken, body: { name: 'Nobody' } }), 404, 'not_found');
    });

    it('refuses to turn the last super_admin into an operator', async () => {
      expectError(await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: { role: 'operator' } }), 409, 'conflict', /last super_admin/);
      const other = await makeOperator({ role: 'super_admin' });
      expect((await call('PATCH', `/operators/${other.id}`, { token: adminToken, body: { role: 'operator' } })).status).toBe(200);
    });

    it('only a super_admin creates or changes operators and creates groups: an operator gets 403', async () => {
      const ann = await makeOperator({ permissions: [...permissions] });
      const create = await call('POST', '/operators', {
        token: ann.token,
        body: { name: 'Eve', email: 'eve@example.com', password: 'eve password', role: 'super_admin' },
      });
      expectError(create, 403, 'forbidden');
      expectError(await call('PATCH', `/operators/${ann.id}`, { token: ann.token, body: { role: 'super_admin' } }), 403, 'forbidden');
      expectError(await call('POST', '/groups', { token: ann.token, body: { name: 'Mine' } }), 403, 'forbidden');
      expectError(await login('eve@example.com', 'eve password'), 401, 'unauthorized');
      expect((await call('GET', '/me', { token: ann.token })).body.role).toBe('operator');
    });
  });

  describe('own account', () => {
    it('logging out refuses the token sent from then on, saying so; his other sessions go on', async () => {
      const dee = await makeOperator();
      const other = (await login(dee.email, 'operator password')).body.accessToken as string;
      expect((await call('POST', '/auth/logout', { token: dee.token })).status).toBe(204);
      expectError(await call('GET', '/me', { token: dee.token }), 401, 'unauthorized', /logged out/);
      expectError(await call('POST', '/auth/logout', { token: dee.token }), 401, 'unauthorized', /logged out/);
      expect((await call('GET', '/me', { token: other })).status).toBe(200);
      const [row] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM gateway.revoked_tokens WHERE operator_id = $1', [dee.id]);
      expect(row!.n).toBe(1);
    });

    it('logging out everywhere refuses every token issued before it; a new login works', async () => {
      const eve = await makeOperator();
      const other = (await login(eve.email, 'operator password')).body.accessToken as string;
      expect((await call('POST', '/auth/logout', { token: eve.token, body: { everywhere: true } })).status).toBe(204);
      for (const token of [eve.token, other]) expectError(await call('GET', '/me', { token }), 401, 'unauthorized', /no longer valid/);
      const again = await login(eve.email, 'operator password');
      expect((await call('GET', '/me', { token: again.body.accessToken })).status).toBe(200);
    });

    it('a token issued without an id (before logout could end one session) is logged out with all of its operator\'s', async () => {
      const fay = await makeOperator();
      const legacy = jwt.sign({ iat_ms: Date.now() - 1000 }, env.env['JWT_SECRET']!, { algorithm: 'HS256', subject: fay.id, expiresIn: 600 });
      expect((await call('GET', '/me', { token: legacy })).status).toBe(200);
      expect((await call('POST', '/auth/logout', { token: legacy })).status).toBe(204);
      for (const token of [legacy, fay.token]) expectError(await call('GET', '/me', { token }), 401, 'unauthorized', /no longer valid/);
    });

    it('an operator changes his own password: the answer\'s token and the new password work; the old password and his other tokens do not', async () => {
      const gil = await makeOperator();
      const other = (await login(gil.email, 'operator password')).body.accessToken as string;
      const changed = await call('POST', '/me/password', { token: gil.token, body: { currentPassword: 'operator password', newPassword: 'a new secret 42' } });
      expect(changed.status).toBe(200);
      expect((await call('GET', '/me', { token: changed.body.accessToken })).body).toMatchObject({ id: gil.id });
      for (const token of [gil.token, other]) expectError(await call('GET', '/me', { token }), 401, 'unauthorized', /password changed/);
      expectError(await login(gil.email, 'operator password'), 401, 'unauthorized');
      expect((await login(gil.email, 'a new secret 42')).status).toBe(200);
    });

    it('a wrong current password answers 403 and changes nothing; wrong guesses count as failed logins (429)', async () => {
      const hal = await makeOperator();
      const address = '203.0.113.77';
      expectError(await call('POST', '/me/password', { token: hal.token, address, body: { currentPassword: 'a guess', newPassword: 'a new secret 42' } }), 403, 'forbidden', /current password is wrong/);
      expect((await call('GET', '/me', { token: hal.token })).status).toBe(200);
      expect((await login(hal.email, 'operator password')).status).toBe(200);
      for (let i = 0; i < 9; i += 1) await call('POST', '/me/password', { token: hal.token, address, body: { currentPassword: `guess ${i}`, newPassword: 'a new secret 42' } });
      const limited = await call('POST', '/me/password', { token: hal.token, address, body: { currentPassword: 'operator password', newPassword: 'a new secret 42' } });
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login(hal.email, 'operator password')).status).toBe(200);
    });

    it('a super_admin logs an operator out of every device; his password still works; an operator may not, and an unknown one is 404', async () => {
      const jay = await makeOperator();
      const other = await makeOperator();
      expectError(await call('POST', `/operators/${jay.id}/logout`, { token: other.token }), 403, 'forbidden');
      expect((await call('GET', '/me', { token: jay.token })).status).toBe(200);
      expect((await call('POST', `/operators/${jay.id}/logout`, { token: adminToken })).status).toBe(204);
      expectError(await call('GET', '/me', { token: jay.token }), 401, 'unauthorized', /no longer valid/);
      expect((await login(jay.email, 'operator password')).status).toBe(200);
      expectError(await call('POST', `/operators/${randomUUID()}/logout`, { token: adminToken }), 404, 'not_found');
      expectError(await call('POST', `/operators/${jay.id}/logout`, { token: adminToken, body: { everywhere: true } }), 400, 'validation_failed', /everywhere/);
      expectError(await call('POST', '/operators/not-a-uuid/logout', { token: adminToken }), 400, 'validation_failed', /id/);
    });

    it('D33: a bad body for logout or a password change is a 400 naming the field; without a token 401', async () => {
      const ida = await makeOperator();
      const cases: [unknown, string][] = [
        [{}, 'currentPassword'],
        [{ currentPassword: 'operator password' }, 'newPassword'],
        [{ currentPassword: 'operator password', newPassword: 'short' }, 'newPassword'],
        [{ currentPassword: 'operator password', newPassword: '          ' }, 'newPassword'],
        [{ currentPassword: 'operator password', newPassword: 'operator password' }, 'differ'],
        [{ currentPassword: 'operator password', newPassword: 'a new secret 42', email: 'x@example.com' }, 'email'],
        [{ currentPassword: 42, newPassword: 'a new secret 42' }, 'currentPassword'],
      ];
      for (const [body, field] of cases) expectError(await call('POST', '/me/password', { token: ida.token, body }), 400, 'validation_failed', new RegExp(field));
      expectError(await call('POST', '/auth/logout', { token: ida.token, body: { everywhere: 'yes' } }), 400, 'validation_failed', /everywhere/);
      expectError(await call('POST', '/auth/logout', { token: ida.token, body: { device: 'phone' } }), 400, 'validation_failed', /device/);
      expectError(await call('POST', '/auth/logout'), 401, 'unauthorized');
      expectError(await call('POST', '/me/password', { body: { currentPassword: 'operator password', newPassword: 'a new secret 42' } }), 401, 'unauthorized');
      expect((await call('GET', '/me', { token: ida.token })).status).toBe(200);
      expect((await login(ida.email, 'operator password')).status).toBe(200);
    });
  });

  describe('groups', () => {
    it('creates a group, answers 409 for its name in another case, and lists groups to every operator', async () => {
      const name = `Sales ${randomUUID().slice(0, 8)}`;
      const created = await call('POST', '/groups', { token: adminToken, body: { name } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), name });
      expectError(await call('POST', '/groups', { token: adminToken, body: { name: ` ${name.toUpperCase()} ` } }), 409, 'conflict');
      const ann = await makeOperator();
      const list = await call('GET', '/groups', { token: ann.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(created.body);
    });

    it('renames a group for everyone who names it, refuses a taken name (409), an unknown group (404) and an operator (403)', async () => {
      const [id, other] = [await makeGroup(), await makeGroup()];
      const ann = await makeOperator({ groupIds: [id] });
      const name = `Renamed ${randomUUID().slice(0, 8)} ✨`;
      const renamed = await call('PATCH', `/groups/${id}`, { token: adminToken, body: { name: ` ${name} ` } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ id, name });
      expect((await call('GET', '/groups', { token: ann.token })).body.items).toContainEqual({ id, name });
      const otherName = (await call('GET', '/groups', { token: adminToken })).body.items.find((g: { id: string }) => g.id === other).name as string;
      expectError(await call('PATCH', `/groups/${id}`, { token: adminToken, body: { name: otherName.toUpperCase() } }), 409, 'conflict', /already exists/);
      expect((await call('PATCH', `/groups/${id}`, { token: adminToken, body: { name: name.toUpperCase() } })).body.name).toBe(name.toUpperCase());
      expectError(await call('PATCH', `/groups/${randomUUID()}`, { token: adminToken, body: { name: 'Nowhere' } }), 404, 'not_found');
      expectError(await call('PATCH', `/groups/${id}`, { token: ann.token, body: { name: 'Mine now' } }), 403, 'forbidden');
      expectError(await call('PATCH', `/groups/${id}`, { token: adminToken, body: { name: '  ', id: other } }), 400, 'validation_failed');
      expectError(await call('PATCH', '/groups/not-a-uuid', { token: adminToken, body: { name: 'X' } }), 400, 'validation_failed', /id: must be a UUID/);
    });
  });

  describe('who may be assigned (D21)', () => {
    let sales: string;
    let support: string;
    let salesOp: { id: string; token: string };
    let bothOp: { id: string; token: string };
    let supportOp: { id: string; token: string };
    let loneOp: { id: string; token: string };

    beforeAll(async () => {
      [sales, support] = [await makeGroup(), await makeGroup()];
      salesOp = await makeOperator({ groupIds: [sales] });
      bothOp = await makeOperator({ groupIds: [sales, support] });
      supportOp = await makeOperator({ groupIds: [support] });
      loneOp = await makeOperator();
    });

    const idsListedTo = async (token: string): Promise<string[]> => {
      const answer = await call('GET', '/operators', { token });
      expect(answer.status).toBe(200);
      for (const item of answer.body.items) expect(item).toMatchObject({ id: expect.any(String), name: expect.any(String), presence: 'offline' });
      return (answer.body.items as { id: string }[]).map((o) => o.id);
    };

    it('D21: super_admin lists every operator', async () => {
      const ids = await idsListedTo(adminToken);
      expect(ids).toEqual(expect.arrayContaining([adminId, salesOp.id, bothOp.id, supportOp.id, loneOp.id]));
    });

    it('D21: an operator in groups lists only operators who share a group', async () => {
      expect((await idsListedTo(salesOp.token)).sort()).toEqual([salesOp.id, bothOp.id].sort());
      expect((await idsListedTo(supportOp.token)).sort()).toEqual([bothOp.id, supportOp.id].sort());
    });

    it('D21: an operator in no group lists everyone', async () => {
      const ids = await idsListedTo(loneOp.token);
      expect(ids).toEqual(expect.arrayContaining([adminId, salesOp.id, bothOp.id, supportOp.id, loneOp.id]));
    });
  });

  describe('bad input (D33): a clear 4xx in the API error shape, never a 500', () => {
    const validOperator = () => ({ name: 'Val', email: `val-${randomUUID().slice(0, 8)}@example.com`, password: 'val password', role: 'operator' });

    it('D33: unknown fields are refused by name', async () => {
      const answer = await call('POST', '/operators', { token: adminToken, body: { ...validOperator(), isBoss: true } });
      expectError(answer, 400, 'validation_failed', /isBoss/);
      expect(answer.body.error.details).toEqual([{ path: '(root)', message: expect.stringContaining('isBoss') }]);
      expectError(await call('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: 'x', remember: true } }), 400, 'validation_failed', /remember/);
    });

    it('D33: wrong types and values are refused naming the field', async () => {
      const answer = await call('POST', '/operators', { token: adminToken, body: { ...validOperator(), role: 'king', permissions: 'all', groupIds: ['nope'] } });
      expectError(answer, 400, 'validation_failed');
      expect(answer.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['groupIds.0', 'permissions', 'role']);
      expectError(await call('POST', '/auth/login', { body: { email: 42, password: null } }), 400, 'validation_failed', /email/);
      expectError(await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: {} }), 400, 'validation_failed', /no field/);
      expectError(await call('POST', '/groups', { token: adminToken, body: { name: '   ' } }), 400, 'validation_failed', /name/);
    });

    it('D33: a body that is not JSON, or none at all, is refused', async () => {
      expectError(await call('POST', '/auth/login', { raw: '{"email": ' }), 400, 'validation_failed', /JSON/);
      expectError(await call('POST', '/groups', { token: adminToken }), 400, 'validation_failed');
    });

    it('D33: a body over 256kb answers 413', async () => {
      const answer = await call('POST', '/groups', { token: adminToken, body: { name: 'x'.repeat(300 * 1024) } });
      expectError(answer, 413, 'payload_too_large');
    });

    it('D33: a path id that is no UUID answers 400', async () => {
      expectError(await call('PATCH', '/operators/not-a-uuid', { token: adminToken, body: { name: 'X' } }), 400, 'validation_failed', /id: must be a UUID/);
      expectError(await call('PATCH', "/operators/1' OR '1'='1", { token: adminToken, body: { name: 'X' } }), 400, 'validation_failed');
    });

    it('a missing or malformed Authorization header answers 401', async () => {
      expectError(await call('GET', '/me'), 401, 'unauthorized', /Missing access token/);
      expectError(await call('GET', '/me', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthorized', /Malformed/);
      expectError(await call('GET', '/me', { headers: { authorization: 'Bearer' } }), 401, 'unauthorized', /Malformed/);
      expectError(await call('GET', '/me', { token: 'not.a.jwt' }), 401, 'unauthorized', /invalid/);
      expectError(await call('GET', '/operators', { token: 'garbage' }), 401, 'unauthorized', /invalid/);
    });

    it('an expired token answers 401 saying so', async () => {
      const expired = jwt.sign({ sub: adminId, exp: Math.floor(Date.now() / 1000) - 60 }, env.env['JWT_SECRET']!, { algorithm: 'HS256' });
      expectError(await call('GET', '/me', { token: expired }), 401, 'unauthorized', /expired/);
    });

    it('a forged token (another secret, or no signature) answers 401', async () => {
      const forged = jwt.sign({}, 'somebody else secret 123', { algorithm: 'HS256', subject: adminId, expiresIn: 600 });
      expectError(await call('GET', '/me', { token: forged }), 401, 'unauthorized', /invalid/);
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: adminId, exp: 9_999_999_999 })).toString('base64url')}.`;
      expectError(await call('GET', '/me', { token: unsigned }), 401, 'unauthorized', /invalid/);
    });

    it('a token of an unknown operator, or of one deleted since, answers 401', async () => {
      const secret = env.env['JWT_SECRET']!;
      const stranger = jwt.sign({}, secret, { algorithm: 'HS256', subject: randomUUID(), expiresIn: 600 });
      expectError(await call('GET', '/me', { token: stranger }), 401, 'unauthorized', /no longer exists/);
      const notAnId = jwt.sign({}, secret, { algorithm: 'HS256', subject: 'admin', expiresIn: 600 });
      expectError(await call('GET', '/me', { token: notAnId }), 401, 'unauthorized', /names no operator/);

      const doomed = await makeOperator();
      expect((await call('GET', '/me', { token: doomed.token })).status).toBe(200);
      await sql('DELETE FROM gateway.operators WHERE id = $1', [doomed.id]);
      await waitFor('token of the deleted operator refused', async () => (await call('GET', '/me', { token: doomed.token })).status === 401);
      expectError(await call('GET', '/me', { token: doomed.token }), 401, 'unauthorized', /no longer exists/);
    });

    it('an unknown path answers 404 in the error shape', async () => {
      expectError(await call('GET', '/nothing-here', { token: adminToken }), 404, 'not_found');
    });

    it('D33: none of the requests above ended in an unhandled error', () => {
      expect(gateway.output()).not.toContain('unhandled error in request');
    });
  });

  describe('lifecycle', () => {
    it('answers /health and /ready', async () => {
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
      const ready = await fetch(`${gateway.url}/ready`);
      expect(ready.status).toBe(200);
    });

    it('ensures the ADMIN_EMAIL super_admin once and never overwrites it across a restart', async () => {
      const changed = await call('PATCH', `/operators/${adminId}`, { token: adminToken, body: { name: 'Chief', password: 'admin password 2' } });
      expect(changed.status).toBe(200);
      adminPassword = 'admin password 2';

      expect(await gateway.stop()).toBe(0);
      gateway = await start();

      expectError(await login(ADMIN_EMAIL, 'admin password 1'), 401, 'unauthorized');
      const loggedIn = await login(ADMIN_EMAIL, adminPassword);
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.operator).toMatchObject({ id: adminId, name: 'Chief', role: 'super_admin' });
      expect(await sql('SELECT id FROM gateway.operators WHERE lower(email) = $1', [ADMIN_EMAIL])).toEqual([{ id: adminId }]);
      // His password changed, so the token from before is refused; the new login's works across the restart.
      expect((await call('GET', '/me', { token: adminToken })).status).toBe(401);
      expect((await call('GET', '/me', { token: loggedIn.body.accessToken })).status).toBe(200);
    });
  });
});
