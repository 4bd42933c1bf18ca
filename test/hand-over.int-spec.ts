import { Client } from 'pg';
import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

/** Handing a conversation over (D21, D22) and internal notes (D18), through the gateway and the bus. */
describe('hand-over and notes', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let send: (client: string, text: string) => Promise<unknown>;
  const as: Record<string, HttpClient> = {};
  const ids: Record<string, string> = {};

  const conversationOf = async (client: string): Promise<string> => {
    await send(client, `hello from ${client}`);
    return waitFor(`${client} listed`, async () => (await admin.get('/api/v1/conversations?tab=all')).body.items.find((i: any) => i.client.name === client)?.id);
  };
  const path = (id: string, action = '') => `/api/v1/conversations/${id}${action}`;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    for (const g of ['Sales', 'Support']) ids[g] = await workspace.group(g);
    const people = { ann: ['Sales'], ben: ['Sales'], cid: ['Support'], mia: ['Sales'] } as const;
    for (const [name, groups] of Object.entries(people)) {
      const operator = await workspace.operator(name, groups.map((g) => ids[g]!), name === 'mia' ? ['conversations.manage'] : []);
      [ids[name], as[name]] = [operator.id, operator.api];
    }
    send = (await workspace.apiChannel(ids['Sales']!)).send;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D21: an operator in groups may assign only to operators who share one of his groups', async () => {
    const id = await conversationOf('dora');
    const refused = await as['ann']!.post(path(id, '/assign'), { operatorId: ids['cid'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/share one of your groups/);
    const given = await as['ann']!.post(path(id, '/assign'), { operatorId: ids['ben'] });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ status: 'in_progress', assignee: { id: ids['ben'], name: 'ben' } });
    expect((await as['ben']!.get('/api/v1/conversations?tab=mine')).body.items.map((i: any) => i.id)).toContain(id);
    const log = (await admin.get(path(id, '/log'))).body.items.at(-1);
    expect(log).toMatchObject({ action: 'assigned', actor: { name: 'ann' }, from: { status: 'unassigned' }, to: { status: 'in_progress', assigneeId: ids['ben'] } });
  });

  it('D21: a deactivated operator is given no conversation (409), and the one he held can be handed to a colleague', async () => {
    const leo = (await admin.post('/api/v1/operators', { name: 'leo', email: 'leo@relaydesk.test', password: 'leo-password', role: 'operator', groupIds: [ids['Sales']] })).body.id as string;
    const held = await conversationOf('gert');
    expect((await admin.post(path(held, '/assign'), { operatorId: leo })).status).toBe(200);
    expect((await admin.patch(`/api/v1/operators/${leo}`, { active: false })).status).toBe(200);
    const id = await conversationOf('hedda');
    const refused = await as['ann']!.post(path(id, '/assign'), { operatorId: leo });
    expect({ status: refused.status, message: refused.body.error.message }).toEqual({ status: 409, message: 'leo has been deactivated and cannot take conversations' });
    expect((await admin.get(path(id))).body).toMatchObject({ status: 'unassigned', assignee: null });
    expect((await admin.post(path(held, '/assign'), { operatorId: ids['ben'] })).body).toMatchObject({ assignee: { id: ids['ben'] } });
  });

  it('D21, D34: a held conversation is handed over by its holder, a manager or a super_admin only; super_admin picks anyone', async () => {
    const id = await conversationOf('eli');
    await as['ben']!.post(path(id, '/take'));
    // D34: ann cannot open ben's conversation, so she learns nothing of it.
    expect((await as['ann']!.post(path(id, '/assign'), { operatorId: ids['ann'] })).status).toBe(404);
    expect((await as['mia']!.post(path(id, '/assign'), { operatorId: ids['ann'] })).body).toMatchObject({ assignee: { id: ids['ann'] } });
    expect((await admin.post(path(id, '/assign'), { operatorId: ids['cid'] })).body).toMatchObject({ assignee: { id: ids['cid'] }, group: { id: ids['Sales'] } });
    expect((await admin.post(path(id, '/assign'), { operatorId: ids['cid'] })).status).toBe(409);
  });

  it('D21, D9, D13: what super_admin hands to an operator outside its group is in his My inbox, then in his Closed tab; #9 counts it', async () => {
    const id = await conversationOf('fay');
    expect((await admin.post(path(id, '/assign'), { operatorId: ids['cid'] })).body).toMatchObject({ assignee: { id: ids['cid'] }, group: { id: ids['Sales'] } });
    const mine = (await as['cid']!.get('/api/v1/conversations?tab=mine')).body.items.map((i: any) => i.id);
    expect(mine).toContain(id);
    await waitFor('#9 counts his inbox', async () => (await as['cid']!.get('/api/v1/conversations/counters')).body.mine === mine.length || undefined);
    expect((await as['cid']!.post(path(id, '/close'))).status).toBe(200);
    expect((await as['cid']!.get('/api/v1/conversations?tab=closed')).body.items.map((i: any) => i.id)).toContain(id);
  });

  it('D22: assigning to a group puts the conversation into that group’s Unassigned', async () => {
    const id = await conversationOf('fay');
    await as['ann']!.post(path(id, '/take'));
    const moved = await as['ann']!.post(path(id, '/group'), { groupId: ids['Support'] });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'unassigned', assignee: null, group: { id: ids['Support'], name: 'Support' } });
    expect((await as['cid']!.get('/api/v1/conversations?tab=unassigned')).body.items.map((i: any) => i.id)).toContain(id);
    expect((await as['ben']!.get('/api/v1/conversations?tab=unassigned')).body.items.map((i: any) => i.id)).not.toContain(id);
    expect((await admin.get(path(id, '/log'))).body.items.at(-1)).toMatchObject({ action: 'group_changed', actor: { name: 'ann' }, to: { groupId: ids['Support'] } });
  });

  it('D18: a note is seen by operators, never sent, never unread, and leaves the last message alone', async () => {
    const id = await conversationOf('gus');
    await as['ann']!.post(path(id, '/take'));
    await as['ann']!.post(path(id, '/read'));
    const note = await as['ann']!.post(path(id, '/notes'), { text: 'VIP client — be nice 🌟' });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ kind: 'note', text: 'VIP client — be nice 🌟', sender: { type: 'operator', name: 'ann' } });
    expect(note.body.deliveryStatus).toBeUndefined();
    const item = (await as['ann']!.get(path(id))).body;
    expect(item).toMatchObject({ unreadCount: 0, lastMessageByOperator: false, lastMessage: { text: 'hello from gus', direction: 'in' } });
    const messages = (await as['ann']!.get(path(id, '/messages'))).body.items;
    expect(messages.map((m: any) => m.kind)).toEqual(['text', 'note']);
    expect((await as['cid']!.post(path(id, '/notes'), { text: 'not my group' })).status).toBe(404);
  });

  it('D18: a note sent again with the same Idempotency-Key (its answer lost) is one note', async () => {
    const id = await conversationOf('gus');
    const key = { 'idempotency-key': 'note-retry-1' };
    const first = await as['ann']!.post(path(id, '/notes'), { text: 'call back at 5' }, key);
    const again = await as['ann']!.post(path(id, '/notes'), { text: 'call back at 5' }, key);
    expect([first.status, again.status, again.body.id, again.headers.get('idempotent-replayed')]).toEqual([201, 201, first.body.id, 'true']);
    const notes = (await as['ann']!.get(path(id, '/messages'))).body.items.filter((m: any) => m.text === 'call back at 5');
    expect(notes).toHaveLength(1);
  });

  it('D33: hand-over refuses unknown operators and groups, bad ids and unknown fields, and changes nothing', async () => {
    const id = await conversationOf('hal');
    const bad = [
      [path(id, '/assign'), { operatorId: '00000000-0000-4000-8000-000000000000' }, 'operatorId'],
      [path(id, '/assign'), { operatorId: 'nobody' }, 'operatorId'],
      [path(id, '/assign'), { operatorId: ids['ben'], extra: 1 }, 'extra'],
      [path(id, '/group'), { groupId: '00000000-0000-4000-8000-000000000000' }, '"path":"groupId"'],
      [path(id, '/group'), {}, 'groupId'],
      [path(id, '/notes'), { text: '' }, 'text'],
      [path(id, '/notes'), { text: ' \n ' }, 'text'],
      [path(id, '/notes'), { text: 'x'.repeat(10_001) }, 'text'],
    ] as const;
    for (const [url, body, field] of bad) {
      const res = await admin.post(url, body);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(JSON.stringify(res.body.error)).toContain(field);
    }
    expect((await admin.get(path(id))).body).toMatchObject({ status: 'unassigned', assignee: null });
    expect((await admin.get(path(id, '/messages'))).body.items).toHaveLength(1);
  });

  it('D28, D4: filters by group in every tab, by status and operator in All; view_all in a group sees only that group', async () => {
    const kept = await conversationOf('kim');
    const taken = await conversationOf('lou');
    await as['ben']!.post(path(taken, '/take'));
    const moved = await conversationOf('max');
    await admin.post(path(moved, '/group'), { groupId: ids['Support'] });
    const idsOf = async (who: HttpClient, query: string) => ((await who.get(`/api/v1/conversations?${query}&limit=100`)).body.items as { id: string }[]).map((i) => i.id);

    expect(await idsOf(admin, `tab=unassigned&groupId=${ids['Support']}`)).toContain(moved);
    expect(await idsOf(admin, `tab=unassigned&groupId=${ids['Support']}`)).not.toContain(kept);
    expect(await idsOf(admin, `tab=all&status=in_progress`)).toContain(taken);
    expect(await idsOf(admin, `tab=all&status=in_progress`)).not.toContain(kept);
    expect(await idsOf(admin, `tab=all&operatorId=${ids['ben']}`)).toEqual(expect.arrayContaining([taken]));
    expect(await idsOf(admin, `tab=all&operatorId=${ids['ben']}`)).not.toContain(kept);
    expect(await idsOf(as['ben']!, `tab=mine&groupId=${ids['Support']}`)).not.toContain(taken);
    const managerSees = await idsOf(as['mia']!, 'tab=all');
    expect(managerSees).toEqual(expect.arrayContaining([kept, taken]));
    expect(managerSees).not.toContain(moved);
  });

  it('D12: one conversation through every movement: each appended with who, when, from and to (named), and PostgreSQL refuses to edit the log', async () => {
    const id = await conversationOf('rex');
    const clientId = (await admin.get(path(id))).body.client.id;
    const moves: [string, () => Promise<{ status: number }>][] = [
      ['taken', () => as['ann']!.post(path(id, '/take'))],
      ['assigned', () => as['ann']!.post(path(id, '/assign'), { operatorId: ids['ben'] })],
      ['group_changed', () => as['ben']!.post(path(id, '/group'), { groupId: ids['Support'] })],
      ['taken', () => as['cid']!.post(path(id, '/take'))],
      ['unassigned', () => as['cid']!.post(path(id, '/unassign'))],
      ['taken', () => as['cid']!.post(path(id, '/take'))],
      ['closed', () => as['cid']!.post(path(id, '/close'))],
      ['reopened', () => as['cid']!.post(path(id, '/reopen'))],
      ['pinned', () => as['cid']!.post(`/api/v1/clients/${clientId}/pin`)],
      ['unpinned', () => as['cid']!.delete(`/api/v1/clients/${clientId}/pin`)],
      ['renamed', () => as['cid']!.patch(`/api/v1/clients/${clientId}`, { name: 'Rex (VIP) 🦖' })],
      ['blacklisted', () => as['cid']!.post(path(id, '/blacklist'))],
      ['unlocked', () => admin.delete(path(id, '/blacklist'))],
    ];
    for (const [action, move] of moves) expect({ action, status: (await move()).status }).toEqual({ action, status: 200 });

    const log = (await admin.get(path(id, '/log'))).body.items;
    expect(log.map((e: any) => [e.action, e.actor?.name ?? null])).toEqual([
      ['created', null],
      ['taken', 'ann'],
      ['assigned', 'ann'],
      ['group_changed', 'ben'],
      ['taken', 'cid'],
      ['unassigned', 'cid'],
      ['taken', 'cid'],
      ['closed', 'cid'],
      ['reopened', 'cid'],
      ['pinned', 'cid'],
      ['unpinned', 'cid'],
      ['renamed', 'cid'],
      ['blacklisted', 'cid'],
      ['unlocked', 'Administrator'],
    ]);
    const at = log.map((e: any) => Date.parse(e.at));
    expect(at.every((t: number, i: number) => !Number.isNaN(t) && (i === 0 || t >= at[i - 1]))).toBe(true);
    // The moves of the conversation itself chain: each starts where the one before it ended.
    const states = log.filter((e: any) => 'status' in e.to);
    for (const [before, after] of states.slice(0, -1).map((e: any, i: number) => [e, states[i + 1]])) expect({ action: after.action, from: after.from }).toEqual({ action: after.action, from: before.to });
    expect(log.find((e: any) => e.action === 'renamed')).toMatchObject({ from: { name: 'rex' }, to: { name: 'Rex (VIP) 🦖' } });
    // The gateway names whom and which group each move's states mention, for the log's readers.
    const entry = (action: string) => log.find((e: any) => e.action === action);
    expect(entry('assigned').names[ids['ben']!]).toBe('ben');
    expect(entry('group_changed').names[ids['Support']!]).toBe('Support');
    expect(entry('pinned').names[entry('pinned').to.pinnedOperatorId]).toBe('cid');

    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      for (const edit of ['UPDATE conversation.conversation_log SET action = $2 WHERE conversation_id = $1', 'DELETE FROM conversation.conversation_log WHERE conversation_id = $1 AND action <> $2']) {
        await expect(db.query(edit, [id, 'created'])).rejects.toThrow('conversation_log is append-only');
      }
    } finally {
      await db.end();
    }
    expect((await admin.get(path(id, '/log'))).body.items).toEqual(log);

    // A long-lived client's log pages, the latest first, as the message history does.
    const pages: any[][] = [];
    let before: string | null | undefined;
    do {
      const page = await admin.get(path(id, `/log?limit=5${before ? `&before=${before}` : ''}`));
      expect(page.status).toBe(200);
      pages.unshift(page.body.items);
      before = page.body.nextCursor;
    } while (before);
    expect(pages.map((p) => p.length)).toEqual([4, 5, 5]);
    expect(pages.flat()).toEqual(log);
    const other = await conversationOf('rex-other');
    const firstPage = (await admin.get(path(id, '/log?limit=5'))).body;
    expect((await admin.get(path(other, `/log?before=${firstPage.nextCursor}`))).status).toBe(400);
    expect((await admin.get(path(id, '/log?limit=501'))).status).toBe(400);
  });

  it('D28: each filter of each tab is exactly the unfiltered tab narrowed by it, alone and combined; a filter a tab has not is a 400', async () => {
    type Item = { id: string; status: string; group: { id: string }; assignee: { id: string } | null };
    const listOf = async (who: HttpClient, query: string): Promise<Item[]> => {
      const res = await who.get(`/api/v1/conversations?${query}&limit=100`);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
      return res.body.items;
    };
    const inSupport = async (client: string) => {
      const id = await conversationOf(client);
      await admin.post(path(id, '/group'), { groupId: ids['Support'] });
      return id;
    };
    // Each tab below holds conversations of both groups, of two operators and, in All, of every status.
    const fixture = {
      salesUnassigned: await conversationOf('ivy'),
      supportUnassigned: await inSupport('jon'),
      annSales: await conversationOf('kai'),
      annSupport: await inSupport('lea'),
      annClosedSales: await conversationOf('moe'),
      annClosedSupport: await inSupport('ned'),
      benSales: await conversationOf('oda'),
      blockedAnn: await conversationOf('pia'),
      blockedCid: await inSupport('quin'),
    };
    for (const id of [fixture.annSales, fixture.annClosedSales, fixture.blockedAnn]) expect((await as['ann']!.post(path(id, '/take'))).status).toBe(200);
    for (const id of [fixture.annSupport, fixture.annClosedSupport]) expect((await admin.post(path(id, '/assign'), { operatorId: ids['ann'] })).status).toBe(200);
    for (const id of [fixture.annClosedSales, fixture.annClosedSupport]) expect((await as['ann']!.post(path(id, '/close'))).status).toBe(200);
    expect((await as['ben']!.post(path(fixture.benSales, '/take'))).status).toBe(200);
    expect((await admin.post(path(fixture.blockedCid, '/assign'), { operatorId: ids['cid'] })).status).toBe(200);
    for (const id of [fixture.blockedAnn, fixture.blockedCid]) expect((await admin.post(path(id, '/blacklist'))).status).toBe(200);

    const groupFilters = [ids['Sales']!, ids['Support']!].map((g) => ({ query: `groupId=${g}`, keeps: (i: Item) => i.group.id === g }));
    const statusFilters = ['unassigned', 'in_progress', 'closed'].map((s) => ({ query: `status=${s}`, keeps: (i: Item) => i.status === s }));
    const operatorFilters = [ids['ann']!, ids['ben']!, ids['cid']!].map((o) => ({ query: `operatorId=${o}`, keeps: (i: Item) => i.assignee?.id === o }));
    const both = (a: typeof groupFilters, b: typeof groupFilters) => a.flatMap((x) => b.map((y) => ({ query: `${x.query}&${y.query}`, keeps: (i: Item) => x.keeps(i) && y.keeps(i) })));
    const tabs = [
      { who: admin, tab: 'unassigned', filters: groupFilters, holds: [fixture.salesUnassigned, fixture.supportUnassigned] },
      { who: as['ann']!, tab: 'mine', filters: groupFilters, holds: [fixture.annSales, fixture.annSupport] },
      { who: as['ann']!, tab: 'closed', filters: groupFilters, holds: [fixture.annClosedSales, fixture.annClosedSupport] },
      {
        who: admin,
        tab: 'all',
        filters: [...groupFilters, ...statusFilters, ...operatorFilters, ...both(groupFilters, statusFilters), ...both(groupFilters, operatorFilters), ...both(statusFilters, operatorFilters)],
        holds: [fixture.salesUnassigned, fixture.supportUnassigned, fixture.annSales, fixture.annSupport, fixture.annClosedSales, fixture.benSales],
      },
      { who: admin, tab: 'blacklist', filters: [...groupFilters, ...operatorFilters, ...both(groupFilters, operatorFilters)], holds: [fixture.blockedAnn, fixture.blockedCid] },
    ];
    for (const { who, tab, filters, holds } of tabs) {
      const whole = await listOf(who, `tab=${tab}`);
      expect({ tab, holds: holds.filter((id) => whole.some((i) => i.id === id)) }).toEqual({ tab, holds });
      for (const filter of filters) {
        const narrowed = (await listOf(who, `tab=${tab}&${filter.query}`)).map((i) => i.id);
        expect({ tab, filter: filter.query, ids: narrowed }).toEqual({ tab, filter: filter.query, ids: whole.filter(filter.keeps).map((i) => i.id) });
      }
      // Each family of filters splits the fixture of the tab, so no filter passes by matching all or nothing.
      for (const family of [groupFilters, statusFilters, operatorFilters].filter((f) => f.some((x) => filters.includes(x)))) {
        const parts = family.map((f) => whole.filter((i) => holds.includes(i.id)).filter(f.keeps).length).filter((n) => n > 0 && n < holds.length);
        expect({ tab, family: family[0]!.query.split('=')[0], split: parts.length >= 2 }).toEqual({ tab, family: family[0]!.query.split('=')[0], split: true });
      }
    }

    for (const [tab, filter] of [['unassigned', 'status=unassigned'], ['mine', 'status=in_progress'], ['closed', 'status=closed'], ['blacklist', 'status=closed'], ['unassigned', `operatorId=${ids['ann']}`], ['mine', `operatorId=${ids['ann']}`], ['closed', `operatorId=${ids['ann']}`]] as const) {
      const refused = await admin.get(`/api/v1/conversations?tab=${tab}&${filter}`);
      expect({ tab, filter, status: refused.status, field: refused.body.error?.details?.[0]?.path }).toEqual({ tab, filter, status: 400, field: filter.split('=')[0] });
    }
  });
});
