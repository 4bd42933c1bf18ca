import { randomUUID } from 'node:crypto';
import type { ConversationChanged, ConversationListItem, ConversationStatus } from '@relaydesk/contracts';
import { wordsOf } from '../src/domain/words';
import { MATCHES_PER_CONVERSATION, type Audience, type SearchEngine, type SearchHit, type SearchRequest } from '../src/store/search-engine';

export type EngineUnderTest = { engine: SearchEngine; dispose(): Promise<void> };

const everything: Audience = { everything: true };
const groupA = randomUUID();
const groupB = randomUUID();
const ann = randomUUID();
const bob = randomUUID();

let clock = Date.parse('2026-01-01T00:00:00.000Z');
const tick = (): string => new Date((clock += 1_000)).toISOString();

type MessageSpec = { text: string | null; kind?: 'text' | 'file' | 'note' | 'event'; id?: string; at?: string };
type ConversationSpec = {
  id?: string;
  clientId?: string;
  name?: string;
  version?: number;
  status?: ConversationStatus;
  assigneeId?: string | null;
  groupId?: string;
  blacklisted?: boolean;
  messages?: MessageSpec[];
};

/** A `conversation.changed` as the conversation service emits it. */
export function changed(spec: ConversationSpec = {}): ConversationChanged {
  const messages = (spec.messages ?? []).map((m) => ({
    id: m.id ?? randomUUID(),
    direction: m.kind === 'note' ? ('out' as const) : ('in' as const),
    kind: m.kind ?? 'text',
    text: m.text,
    sender: m.kind === 'note' ? { type: 'operator' as const, id: ann } : { type: 'client' as const },
    createdAt: m.at ?? tick(),
  }));
  const last = messages[messages.length - 1];
  const status = spec.status ?? 'unassigned';
  const item: ConversationListItem = {
    id: spec.id ?? randomUUID(),
    client: { id: spec.clientId ?? randomUUID(), name: spec.name ?? 'Client', channel: 'webchat', blacklisted: spec.blacklisted ?? false },
    pin: null,
    lastMessageByOperator: false,
    assignee: spec.assigneeId ? { id: spec.assigneeId } : null,
    unreadCount: 0,
    group: { id: spec.groupId ?? groupA },
    status,
    listedAt: last?.createdAt ?? tick(),
    lastMessage: last ? { text: last.text, at: last.createdAt, direction: last.direction } : null,
  };
  return { version: spec.version ?? 1, item, messages };
}

/**
 * What every SearchEngine must do (search-engine.ts, D26 and the visibility rules), exercised
 * directly: apply events, then search. `makeEngine` gives an engine over an empty index.
 */
export function describeEngineContract(name: string, makeEngine: () => Promise<EngineUnderTest>): void {
  describe(`search engine contract: ${name}`, () => {
    let under: EngineUnderTest;
    let engine: SearchEngine;

    beforeAll(async () => {
      under = await makeEngine();
      engine = under.engine;
    }, 60_000);
    afterAll(async () => {
      await under?.dispose();
    });
    beforeEach(async () => {
      await engine.clear();
    });

    const search = (query: string, more: Partial<SearchRequest> = {}): Promise<SearchHit[]> =>
      engine.search({ words: wordsOf(query), audience: everything, limit: 20, ...more });
    const idsFound = async (query: string, more: Partial<SearchRequest> = {}): Promise<string[]> => (await search(query, more)).map((h) => h.conversation.id).sort();
    const texts = (hits: SearchHit[]): string[] => hits.flatMap((h) => h.messages.map((m) => m.text));

    it('D26: "hel" finds "hello", "llo" does not', async () => {
      await engine.apply([changed({ messages: [{ text: 'hello there' }] })]);
      expect(texts(await search('hel'))).toEqual(['hello there']);
      expect(await search('llo')).toEqual([]);
      expect(await search('ello')).toEqual([]);
    });

    it('D26: several words must all start words of one message; spread over two messages they find nothing', async () => {
      await engine.apply([changed({ messages: [{ text: 'the parcel arrived broken' }, { text: 'refund please' }] })]);
      expect(texts(await search('parc brok'))).toEqual(['the parcel arrived broken']);
      expect(await search('parc refund')).toEqual([]);
      expect(await search('parc zebra')).toEqual([]);
    });

    it('D26: case and accents do not matter: "ÜNAL" and "unal" find "Ünal"', async () => {
      await engine.apply([changed({ name: 'Ünal Çelik', messages: [{ text: 'Grüße aus Köln' }] })]);
      for (const q of ['ÜNAL', 'unal', 'Üna', 'celik']) expect((await search(q)).map((h) => h.nameMatched)).toEqual([true]);
      expect(texts(await search('GRUSSE KOLN'))).toEqual([]);
      expect(texts(await search('grü köln'))).toEqual(['Grüße aus Köln']);
      expect(texts(await search('GRU KOL'))).toEqual(['Grüße aus Köln']);
    });

    it('D26: Cyrillic words are found by their start, in any case', async () => {
      await engine.apply([changed({ name: 'Дмитрий Иванов', messages: [{ text: 'Привет! Где мой заказ?' }] })]);
      expect(texts(await search('прив зак'))).toEqual(['Привет! Где мой заказ?']);
      expect(texts(await search('ГДЕ'))).toEqual(['Привет! Где мой заказ?']);
      expect(await search('ивет')).toEqual([]);
      expect((await search('иван')).map((h) => h.nameMatched)).toEqual([true]);
    });

    it('D20, D26: emoji are words: found on their own and beside other words', async () => {
      await engine.apply([changed({ messages: [{ text: 'Party 🎉 tonight 👩‍💻' }, { text: 'no emoji here' }] })]);
      expect(texts(await engine.search({ words: ['🎉'], audience: everything, limit: 20 }))).toEqual(['Party 🎉 tonight 👩‍💻']);
      expect(texts(await search('🎉 tonig'))).toEqual(['Party 🎉 tonight 👩‍💻']);
      expect(texts(await search('👩‍💻 part'))).toEqual(['Party 🎉 tonight 👩‍💻']);
      expect(await search('🎉 emoji')).toEqual([]);
    });

    it('D26: mixed scripts in one text: each word found by its own start', async () => {
      await engine.apply([changed({ messages: [{ text: 'Order № 42: заказ 注文 confirmed, café ☕' }] })]);
      for (const q of ['заказ ord', 'conf 注文', 'cafe 42', '☕ зак']) expect(texts(await search(q))).toHaveLength(1);
      expect(await search('firmed')).toEqual([]);
    });

    it('D26: the client name is searched: a name match alone finds the conversation with no messages', async () => {
      const conv = changed({ name: 'Boris Johnson', messages: [{ text: 'nothing to see' }] });
      await engine.apply([conv]);
      const [hit, ...rest] = await search('john bor');
      expect(rest).toEqual([]);
      expect(hit).toMatchObject({ conversation: { id: conv.item.id }, nameMatched: true, messages: [], messageCount: 0 });
      expect(await search('son')).toEqual([]);
    });

    it('D18: notes are found (kind note); event messages are not indexed', async () => {
      await engine.apply([changed({ messages: [{ text: 'internal remark about billing', kind: 'note' }, { text: 'billing conversation taken', kind: 'event' }] })]);
      const [hit] = await search('billing');
      expect(hit?.messages.map((m) => [m.kind, m.text])).toEqual([['note', 'internal remark about billing']]);
      expect(hit?.messageCount).toBe(1);
    });

    it('version guard: an older event changes nothing; the same event twice adds nothing twice', async () => {
      const id = randomUUID();
      const clientId = randomUUID();
      const v2 = changed({ id, clientId, name: 'Newer Name', version: 2, status: 'in_progress', assigneeId: ann, messages: [{ text: 'second message' }] });
      const v1 = changed({ id, clientId, name: 'Older Name', version: 1, messages: [{ text: 'first message' }] });
      await engine.apply([v2]);
      await engine.apply([v1, v2]);
      await engine.apply([v2]);
      const [hit] = await search('message');
      expect(hit).toMatchObject({ conversation: { status: 'in_progress', client: { name: 'Newer Name' } }, messageCount: 2 });
      expect(await search('older')).toEqual([]);
      expect((await search('newer')).map((h) => h.conversation.id)).toEqual([id]);
    });

    it('D17, D27: a rename or blacklisting reaches the client\'s other conversations', async () => {
      const clientId = randomUUID();
      const first = changed({ clientId, name: 'Olga Petrova', messages: [{ text: 'first visit' }] });
      const second = changed({ clientId, name: 'Olga Petrova', messages: [{ text: 'second visit' }] });
      await engine.apply([first, second]);
      await engine.apply([{ ...first, version: 2, item: { ...first.item, client: { ...first.item.client, name: 'Olga Smirnova', blacklisted: true } }, messages: [] }]);
      expect(await idsFound('smirn')).toEqual([first.item.id, second.item.id].sort());
      expect(await search('petrova')).toEqual([]);
      const operator: Audience = { everything: false, operatorId: ann, groupIds: [groupA], allTab: false };
      expect(await idsFound('visit', { audience: operator })).toEqual([]);
      expect((await search('visit')).map((h) => h.conversation.client)).toEqual([expect.objectContaining({ name: 'Olga Smirnova', blacklisted: true }), expect.objectContaining({ name: 'Olga Smirnova', blacklisted: true })]);
    });

    describe('D3, D4, D9, D27, D34: only conversations the caller may open', () => {
      const conv = {
        unassignedA: changed({ groupId: groupA, messages: [{ text: 'apple' }] }),
        annHoldsA: changed({ groupId: groupA, status: 'in_progress', assigneeId: ann, messages: [{ text: 'apple' }] }),
        bobHoldsA: changed({ groupId: groupA, status: 'in_progress', assigneeId: bob, messages: [{ text: 'apple' }] }),
        closedByBobA: changed({ groupId: groupA, status: 'closed', assigneeId: bob, messages: [{ text: 'apple' }] }),
        unassignedB: changed({ groupId: groupB, messages: [{ text: 'apple' }] }),
        annClosedB: changed({ groupId: groupB, status: 'closed', assigneeId: ann, messages: [{ text: 'apple' }] }),
        blacklistedA: changed({ groupId: groupA, blacklisted: true, messages: [{ text: 'apple' }] }),
        blacklistedAnnHolds: changed({ groupId: groupA, status: 'in_progress', assigneeId: ann, blacklisted: true, messages: [{ text: 'apple' }] }),
      };
      type Name = keyof typeof conv;
      const found = async (audience: Audience): Promise<Name[]> => {
        const ids = new Map(Object.entries(conv).map(([key, c]) => [c.item.id, key as Name]));
        return (await engine.search({ words: ['apple'], audience, limit: 50 })).map((h) => ids.get(h.conversation.id)!).sort();
      };
      const expected = (...names: Name[]) => names.sort();

      beforeEach(async () => {
        await engine.apply(Object.values(conv));
      });

      it('D1: a super_admin finds everything', async () => {
        expect(await found(everything)).toEqual(expected(...(Object.keys(conv) as Name[])));
      });

      it('D3, D9: an operator finds his own conversations (any group, closed too) and unassigned ones of his groups', async () => {
        expect(await found({ everything: false, operatorId: ann, groupIds: [groupA], allTab: false })).toEqual(expected('unassignedA', 'annHoldsA', 'annClosedB'));
      });

      it('D4: with the All tab, every conversation of his groups, blacklisted ones too', async () => {
        expect(await found({ everything: false, operatorId: ann, groupIds: [groupA], allTab: true })).toEqual(
          expected('unassignedA', 'annHoldsA', 'bobHoldsA', 'closedByBobA', 'blacklistedA', 'blacklistedAnnHolds', 'annClosedB'),
        );
      });

      it('D3: an operator in no group finds unassigned conversations of every group, never one held by another', async () => {
        expect(await found({ everything: false, operatorId: bob, groupIds: null, allTab: false })).toEqual(expected('unassignedA', 'unassignedB', 'bobHoldsA', 'closedByBobA'));
      });

      it('D4: an operator in no group with the All tab finds everything', async () => {
        expect(await found({ everything: false, operatorId: randomUUID(), groupIds: null, allTab: true })).toEqual(expected(...(Object.keys(conv) as Name[])));
      });

      it('D27: a blacklisted client\'s conversations only with the All tab, even for the operator who holds it', async () => {
        const annAlone = await found({ everything: false, operatorId: ann, groupIds: [groupA], allTab: false });
        expect(annAlone).not.toContain('blacklistedA');
        expect(annAlone).not.toContain('blacklistedAnnHolds');
      });

      it('D34: another group\'s unassigned conversation and one held by another operator are not found', async () => {
        expect(await found({ everything: false, operatorId: randomUUID(), groupIds: [groupB], allTab: false })).toEqual(expected('unassignedB'));
      });
    });

    it('D26: newest first; pages after a position have no duplicates and no gaps; name matches order by last activity', async () => {
      const convs = Array.from({ length: 7 }, (_, i) => changed({ name: i === 3 ? 'Kiwi Lover' : `Client ${i}`, messages: [{ text: i === 3 ? 'no fruit named' : `kiwi number ${i}` }] }));
      await engine.apply(convs);
      const newestFirst = [...convs].reverse().map((c) => c.item.id);
      const all = (await search('kiwi')).map((h) => h.conversation.id);
      expect(all).toEqual(newestFirst);
      const paged: string[] = [];
      let after: SearchRequest['after'];
      for (let page = 0; page < 5; page++) {
        const hits = await search('kiwi', { limit: 3, ...(after ? { after } : {}) });
        paged.push(...hits.map((h) => h.conversation.id));
        const last = hits[hits.length - 1];
        if (!last) break;
        after = { at: last.at, conversationId: last.conversation.id };
      }
      expect(paged).toEqual(newestFirst);
    });

    it('D26: a conversation with an old and a new match is listed once, at its newest, across pages', async () => {
      const id = randomUUID();
      const old = changed({ id, version: 1, messages: [{ text: 'walnut old' }] });
      const middle = [changed({ messages: [{ text: 'walnut b' }] }), changed({ messages: [{ text: 'walnut c' }] })];
      const newer = changed({ id, version: 2, messages: [{ text: 'walnut new' }] });
      await engine.apply([old, ...middle, newer]);
      const paged: string[] = [];
      let after: SearchRequest['after'];
      for (let page = 0; page < 5; page++) {
        const [hit] = await search('walnut', { limit: 1, ...(after ? { after } : {}) });
        if (!hit) break;
        paged.push(hit.conversation.id);
        after = { at: hit.at, conversationId: hit.conversation.id };
      }
      expect(paged).toEqual([id, middle[1]!.item.id, middle[0]!.item.id]);
      expect((await search('walnut', { limit: 1 }))[0]).toMatchObject({ messageCount: 2, messages: [{ text: 'walnut new' }, { text: 'walnut old' }] });
    });

    it('D26: a rare word under many newer messages without it is found, newest first and paged', async () => {
      const oldest = changed({ messages: [{ text: 'quince jam' }] });
      const older = changed({ messages: [{ text: 'quince pie' }, { text: 'no fruit here' }] });
      const noise = Array.from({ length: 8 }, (_, i) => changed({ messages: [{ text: `plain message ${i}` }] }));
      const newest = changed({ messages: [{ text: 'quince again' }] });
      await engine.apply([oldest, older, ...noise, newest]);
      const expected = [newest.item.id, older.item.id, oldest.item.id];
      expect((await search('quince')).map((h) => h.conversation.id)).toEqual(expected);
      const [first, second] = await search('quince', { limit: 2 });
      expect([first, second].map((h) => h?.conversation.id)).toEqual(expected.slice(0, 2));
      const rest = await search('quince', { limit: 2, after: { at: second!.at, conversationId: second!.conversation.id } });
      expect(rest.map((h) => h.conversation.id)).toEqual(expected.slice(2));
      expect(await search('zzyzx')).toEqual([]);
    });

    it('D26: a name match never goes ahead of a newer message match lying under many newer messages', async () => {
      const noise = (n: number) => Array.from({ length: n }, (_, i) => changed({ messages: [{ text: `plain message ${i}` }] }));
      const older = noise(4);
      const byName = changed({ name: 'Quince Farm', messages: [{ text: 'hello' }] });
      const byMessage = changed({ messages: [{ text: 'quince please' }] });
      await engine.apply([...older, byName, byMessage, ...noise(3)]);
      expect((await search('quince', { limit: 1 })).map((h) => h.conversation.id)).toEqual([byMessage.item.id]);
      expect((await search('quince')).map((h) => h.conversation.id)).toEqual([byMessage.item.id, byName.item.id]);
    });

    it('D26: conversations with the same time are ordered by id and paged without loss', async () => {
      const at = tick();
      const convs = Array.from({ length: 4 }, () => changed({ messages: [{ text: 'same moment', at }] }));
      await engine.apply(convs);
      const expectedOrder = convs.map((c) => c.item.id).sort().reverse();
      const first = await search('moment', { limit: 2 });
      const last = first[1]!;
      const second = await search('moment', { limit: 2, after: { at: last.at, conversationId: last.conversation.id } });
      expect([...first, ...second].map((h) => h.conversation.id)).toEqual(expectedOrder);
    });

    it('limit: at most `limit` hits; each with the newest matches (at most MATCHES_PER_CONVERSATION) and the count of all', async () => {
      const older = [changed({ messages: [{ text: 'lemon tart' }] }), changed({ messages: [{ text: 'lemon cake' }] })];
      const busy = changed({ messages: Array.from({ length: MATCHES_PER_CONVERSATION + 2 }, (_, i) => ({ text: `lemon ${i}` })) });
      await engine.apply([...older, busy]);
      expect(await search('lemon', { limit: 2 })).toHaveLength(2);
      const [newest] = await search('lemon', { limit: 1 });
      expect(newest?.conversation.id).toBe(busy.item.id);
      expect(newest?.messageCount).toBe(MATCHES_PER_CONVERSATION + 2);
      expect(newest?.messages.map((m) => m.text)).toEqual(Array.from({ length: MATCHES_PER_CONVERSATION }, (_, i) => `lemon ${MATCHES_PER_CONVERSATION + 1 - i}`));
    });

    it('D33: a word longer than an index allows is indexed by its start and breaks nothing', async () => {
      const long = `${'x'.repeat(3_000)} ${'ж'.repeat(1_500)} tail`;
      await engine.apply([changed({ messages: [{ text: long }] })]);
      expect(texts(await search('xxx жжж tail'))).toEqual([long]);
    });

    it('D33: words with quotes, backslashes or query syntax are searched as text, never as syntax', async () => {
      await engine.apply([changed({ messages: [{ text: "o'brien said 1=1" }] })]);
      for (const words of [["'"], ["x' | 'y"], ['\\'], ['a:*'], ['or 1=1 --'], ['groupid = x or 1']]) {
        await expect(engine.search({ words, audience: { everything: false, operatorId: ann, groupIds: [groupB], allTab: false }, limit: 5 })).resolves.toEqual([]);
      }
      expect(texts(await search("o'brien"))).toEqual(["o'brien said 1=1"]);
    });
  });
}
