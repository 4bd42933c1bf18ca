import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { IDENTITY_HEADER } from '@relaydesk/contracts';
import { signIdentity } from '@relaydesk/service-kit';
import { Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { audienceOf } from '../services/search/src/domain/audience';
import { fold, wordsOf } from '../services/search/src/domain/words';
import { PostgresEngine } from '../services/search/src/store/postgres-engine';
import { Http, loadInbox, setUpScene, type InboxText, type LoadResult, type Operator } from './list-pages';
import { cpuBetween, cpuSnapshot, type CpuUse } from './sampler';
import { line, ms, round, summarize, type Summary } from './stats';

/**
 * Search (issue 6) on 100,000 conversations / 1,000,000 messages of realistic text: loaded with the
 * list part's loader (same inbox shape) but with texts drawn in SQL from word lists of five
 * languages with a Zipf skew (rank r drawn with probability ∝ 1/r), a few emoji and order numbers,
 * and client names from name lists in Latin, Cyrillic and Han script. Then:
 *   1. a full reindex (`services/search/src/reindex.ts` as a child process, as `npm run
 *      search:reindex` runs it), its time and rate, and the index's size on disk; then the index's
 *      messages stored in time order, as live indexing leaves them;
 *   2. 1-, 2- and 3-word queries, common and rare (and for one word, one in 250 messages and none),
 *      through the gateway as a super_admin and as an
 *      operator of one group, beside the search service alone and the plain SQL lookup of the same
 *      rows in the search schema (the least any engine must do), interleaved, one at a time;
 *   3. indexing lag: client messages at a steady rate through an `api` channel, from each message's
 *      storage (conversation's `created_at`) to its row in the index (`indexed_at`), read from the database.
 */

export type SearchBenchConfig = {
  conversations: number;
  messagesPerConversation: number;
  /** Sequential requests per query, path and caller, after `warmup` more. */
  requests: number;
  warmup: number;
  /** A query whose paths are slow stops after this many seconds (at least `warmup` samples). */
  caseSeconds: number;
  lagMessages: number;
  lagRate: number;
};

// ---------------------------------------------------------------------------------------------------
// Text

/** Each language's words, most frequent first (the Zipf rank is the position). */
const VOCABULARY: Record<string, { words: string[]; sep: string; given: string[]; family: string[]; familyFirst?: boolean; share: number }> = {
  en: {
    share: 8,
    sep: ' ',
    words: `i the my to order and is you please it not for have thanks a hello can with on this was delivery but me of payment when
      will help still refund account package hi today card yes need address no time problem received invoice app could again where
      tracking number return week cancel price wrong email phone login password shipping item size colour store money back charged
      twice discount code coupon support update waiting days arrived damaged broken replacement exchange urgent manager subscription
      plan upgrade error message screen download install receipt warranty voucher courier parcel weekend morning evening tomorrow
      yesterday sorry great awesome terrible disappointed confirm verify bank transfer paypal checkout basket stock available preorder
      loyalty points membership gift wrapping invoice chargeback backorder misdelivered reimbursement unsubscribe firmware
      troubleshooting warehouse customs voltage adapter`.split(/\s+/),
    given: ['James', 'Emily', 'Oliver', 'Sophie', 'Jack', 'Olivia', 'Harry', 'Amelia', 'Noah', 'Grace', 'Liam', 'Chloe', 'Ethan', 'Zoë', 'Aaron', "Siobhán", 'Priya', 'Mohammed'],
    family: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright', 'Thompson', "O'Brien", 'Walker', 'Khan', 'Nguyen'],
  },
  de: {
    share: 3,
    sep: ' ',
    words: `ich die und der nicht ist bitte meine bestellung das ein mit danke hallo zu wann lieferung habe noch es können sie paket
      auf keine für rechnung geld zurück heute woche adresse konto zahlung problem leider schon wieder kundennummer storno größe
      farbe artikel versand sendungsnummer gutschein rabatt falsch kaputt beschädigt umtausch rücksendung erstattung lieferzeit
      termin morgen gestern vielen dank grüße freundlichen überweisung lastschrift passwort anmeldung fehlermeldung mahnung
      rückerstattung kündigung vertrag verlängerung abholung packstation zustellung nachbar ersatzteil garantie gewährleistung
      beschwerde kulanz lieferverzögerung zollgebühren`.split(/\s+/),
    given: ['Lukas', 'Anna', 'Jürgen', 'Sabine', 'Jörg', 'Müge', 'Ünal', 'Leonie', 'Maximilian', 'Käthe', 'Mehmet', 'Björn', 'Ayşe', 'Felix'],
    family: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schäfer', 'Yılmaz', 'Öztürk', 'Groß', 'Krüger', 'Hoffmann'],
  },
  ru: {
    share: 3,
    sep: ' ',
    words: `я не и в мой заказ здравствуйте на пожалуйста спасибо когда что доставка где уже это можно оплата деньги до сих пор
      пришёл номер посылка курьер вернуть возврат товар карта адрес сегодня завтра вчера неделю ошибка приложение аккаунт пароль
      скидка промокод размер цвет магазин чек отменить подтвердить срочно менеджер оператор проблема списали дважды сломан
      повреждён обмен гарантия доставили получил ответьте ждать долго добрый день вечер отзыв претензия компенсация
      накладная трекинг самовывоз пункт выдачи таможня предоплата рассрочка`.split(/\s+/),
    given: ['Алексей', 'Мария', 'Дмитрий', 'Анна', 'Сергей', 'Ольга', 'Иван', 'Наталья', 'Андрей', 'Екатерина', 'Юлия', 'Фёдор', 'Алёна', 'Тимур'],
    family: ['Иванов', 'Смирнова', 'Кузнецов', 'Попова', 'Соколов', 'Лебедева', 'Козлов', 'Новикова', 'Морозов', 'Волкова', 'Фёдоров', 'Ёлкина'],
  },
  es: {
    share: 3,
    sep: ' ',
    words: `el mi de que no la pedido por favor gracias hola es un en todavía cuándo llegó entrega puedo paquete dinero pago cuenta
      tarjeta dirección hoy mañana ayer semana problema número seguimiento devolución reembolso cancelar talla color tienda factura
      descuento cupón error aplicación contraseña urgente gerente roto dañado cambio garantía recibí esperando días envío
      transferencia cobro duplicado reclamación queja atención cliente buenas tardes saludos muchas mensajero sucursal aduana
      reposición presupuesto suscripción baja`.split(/\s+/),
    given: ['José', 'María', 'Lucía', 'Javier', 'Sofía', 'Alejandro', 'Martín', 'Valentina', 'Ángel', 'Inés', 'Raúl', 'Begoña', 'Iñigo'],
    family: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Núñez', 'Ibáñez', 'Muñoz'],
  },
  zh: {
    share: 3,
    // Chinese is written without spaces; the comma between phrases is what separates words here (D26 words).
    sep: '，',
    familyFirst: true,
    words: `我的 订单 你好 请问 谢谢 什么时候 发货 快递 还没 收到 退款 怎么 可以 一下 地址 修改 付款 支付宝 微信 取消 客服 帮我 查询
      物流 单号 包裹 退货 换货 尺码 颜色 优惠券 发票 账号 密码 登录 错误 坏了 破损 质量 问题 麻烦 尽快 今天 明天 昨天 一周 已经
      申请 审核 到账 重复 扣款 投诉 赔偿 售后 保修 维修 配件 预售 缺货 补发 签收 驿站 海关 关税`.split(/\s+/),
    given: ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超'],
    family: ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '欧阳', '司马'],
  },
};
const EMOJI = ['🙏', '👍', '😊', '😡', '❤️', '🎉', '📦', '🚚', '💳', '✅', '❌', '😂', '🔥', '🤔', '👋', '🇩🇪'];
/** Of every message: how many words it draws (2 … 13), and how often an emoji and an order number come along. */
const EMOJI_SHARE = 0.12;
const ORDER_NUMBER_SHARE = 0.1;
const BUCKETS = Object.values(VOCABULARY).reduce((a, l) => a + l.share, 0);

/** The languages' word lists in a temp table, one row per share bucket (conversation n speaks bucket n % BUCKETS). */
async function setUpVocabulary(db: Client): Promise<void> {
  await db.query(`CREATE TEMP TABLE search_bench_lang (bucket int PRIMARY KEY, lang text, words text[], sep text, given text[], family text[], family_first boolean)`);
  // Arrays read in place, never compressed or moved out of line: one row is read per generated text.
  await db.query('ALTER TABLE search_bench_lang ALTER COLUMN words SET STORAGE PLAIN, ALTER COLUMN given SET STORAGE PLAIN, ALTER COLUMN family SET STORAGE PLAIN');
  let bucket = 0;
  for (const [lang, l] of Object.entries(VOCABULARY)) {
    for (let i = 0; i < l.share; i++) {
      await db.query('INSERT INTO search_bench_lang VALUES ($1, $2, $3, $4, $5, $6, $7)', [bucket++, lang, l.words, l.sep, l.given, l.family, l.familyFirst ?? false]);
    }
  }
}

/** Zipf rank 1 … size: floor(exp(U · ln(size + 1))) has P(r) = ln((r + 1) / r) / ln(size + 1) ∝ ~1/r. */
const zipf = (size: string) => `floor(exp(random() * ln(${size} + 1)))::int`;
const emojiSql = `ARRAY[${EMOJI.map((e) => `'${e}'`).join(', ')}]`;

const messageSql = (n: string) => `(
  SELECT string_agg(l.words[${zipf('cardinality(l.words)')}], l.sep)
         || CASE WHEN random() < ${EMOJI_SHARE} THEN ' ' || (${emojiSql})[1 + floor(random() * ${EMOJI.length})::int] ELSE '' END
         || CASE WHEN random() < ${ORDER_NUMBER_SHARE} THEN ' #' || (100000 + floor(random() * 900000)::int) ELSE '' END
  -- The count refers to the row (l), or the function scan would keep its first count for every row.
  FROM search_bench_lang l CROSS JOIN LATERAL generate_series(1, 2 + floor(random() * 12)::int + 0 * l.bucket) word
  WHERE l.bucket = (${n}) % ${BUCKETS})`;

const realisticText: InboxText = {
  setUp: setUpVocabulary,
  // Conversations still going when the load's "now" came get their last message in the hour before
  // it, not all at that one instant: thousands of messages at one timestamp are no real inbox.
  beforeNow: `interval '1 millisecond' * floor(random() * 3600000)`,
  lastMessage: messageSql,
  message: (n) => messageSql(n),
  clientName: (n) => `(
    SELECT CASE WHEN l.family_first THEN f || g ELSE g || ' ' || f END
    FROM search_bench_lang l,
         LATERAL (SELECT l.given[1 + floor(random() * cardinality(l.given))::int] AS g, l.family[1 + floor(random() * cardinality(l.family))::int] AS f) x
    WHERE l.bucket = (${n}) % ${BUCKETS})`,
};

/** A message as the generator writes them, in JavaScript (the lag part's live messages). */
function jsMessage(i: number): string {
  const langs = Object.values(VOCABULARY).flatMap((l) => Array<typeof l>(l.share).fill(l));
  const l = langs[i % langs.length]!;
  const count = 2 + Math.floor(Math.random() * 12);
  const words = Array.from({ length: count }, () => l.words[Math.floor(Math.exp(Math.random() * Math.log(l.words.length + 1))) - 1]!);
  return `${words.join(l.sep)}${Math.random() < EMOJI_SHARE ? ` ${EMOJI[i % EMOJI.length]}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Queries

/** The engine's tsquery (postgres-engine.ts), built in SQL from the folded words passed as $1. */
const TSQUERY = `('''' || replace(replace(replace(array_to_string($1::text[], chr(1)), '\\', '\\\\'), '''', ''''''), chr(1), ''':* & ''') || ''':*')::tsquery`;
const PAGE = 20;
/** How many of the newest matches the newest-first lookup reads (the engine's first window). */
const NEWEST_WINDOW = 250;

type QueryPick = { name: string; words: number; q: string };

/** A word of a language's list, checked (a list edit must not leave a query word behind). */
function word(lang: keyof typeof VOCABULARY, w: string): string {
  if (!VOCABULARY[lang]!.words.includes(w)) throw new Error(`"${w}" is not in the ${lang} word list`);
  return w;
}

/** Words present in the data: common ones by name (high rank), rare ones from a loaded message that holds them. */
async function pickQueries(db: Client): Promise<QueryPick[]> {
  /** The words of loaded messages matching `pattern` that belong to `lang`'s list (folded → as listed) or are order numbers, rarest first. */
  const wordsOfMessages = async (pattern: string, lang: keyof typeof VOCABULARY): Promise<string[][]> => {
    const found = await db.query<{ text: string }>(`SELECT text FROM conversation.message WHERE text ~ $1 LIMIT 50`, [pattern]);
    if (found.rows.length === 0) throw new Error(`no loaded message matches ${pattern}`);
    const byFolded = new Map(VOCABULARY[lang]!.words.map((w, rank) => [fold(w), { w, rank }]));
    return found.rows.map((r) =>
      wordsOf(r.text)
        .map((w) => byFolded.get(w) ?? (/^\d{6}$/.test(w) ? { w, rank: Infinity } : undefined))
        .filter((x) => x !== undefined)
        .sort((a, b) => (a.rank === b.rank ? 0 : b.rank > a.rank ? 1 : -1))
        .map((x) => x.w),
    );
  };
  /** The least common word of the list, and the next rarest words of one message holding it. */
  const rare = async (lang: keyof typeof VOCABULARY, others: number): Promise<string> => {
    const last = VOCABULARY[lang]!.words.at(-1)!;
    const candidates = (await wordsOfMessages(lang === 'zh' ? last : `(^|\\s)${last}(\\s|$)`, lang)).map((ws) => ws.filter((w) => w !== last && !/^\d+$/.test(w)));
    const inMessage = candidates.find((ws) => ws.length >= others);
    if (!inMessage) throw new Error(`no loaded message holds "${last}" and ${others} other words`);
    return [last, ...inMessage.slice(0, others)].join(' ');
  };
  const orderNumber = (await wordsOfMessages(' #\\d{6}', 'en'))[0]!.find((w) => /^\d{6}$/.test(w));
  if (!orderNumber) throw new Error('no order number in the loaded messages');
  const typo = 'qzxjv';
  if ((await matchingMessages(db, typo)) !== 0) throw new Error(`"${typo}" was meant to match nothing`);
  return [
    { name: '1 word, common', words: 1, q: word('en', 'order') },
    { name: '1 word, middling', words: 1, q: await middling(db) },
    { name: '1 word, rare', words: 1, q: orderNumber },
    { name: '1 word, none', words: 1, q: typo },
    { name: '2 words, common', words: 2, q: `${word('ru', 'заказ')} ${word('ru', 'спасибо')}` },
    { name: '2 words, rare', words: 2, q: await rare('de', 1) },
    { name: '2 words, emoji', words: 2, q: `${word('es', 'gracias')} ${EMOJI[0]}` },
    { name: '3 words, common', words: 3, q: `${word('en', 'order')} ${word('en', 'please')} ${word('en', 'thanks')}` },
    { name: '3 words, rare', words: 3, q: await rare('zh', 2) },
  ];
}

/** Messages of the index that hold every word of `q` (as prefixes). */
async function matchingMessages(db: Client, q: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM search.message m WHERE m.words @@ ${TSQUERY}`, [wordsOf(q)])).rows[0]!.n;
}

/** The English word held by the share of messages closest to one in 250: too rare to fill a short newest-first walk, too common to count for nothing. */
async function middling(db: Client): Promise<string> {
  const total = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM search.message')).rows[0]!.n;
  let best = { w: '', off: Infinity };
  for (const w of VOCABULARY['en']!.words.filter((x) => x.length >= 3)) {
    const off = Math.abs(Math.log((await matchingMessages(db, w)) / (total / 250)));
    if (off < best.off) best = { w, off };
  }
  return best.w;
}

type Caller = { name: string; op: Operator };

/** The plain lookups of the same page in the search schema: every match grouped, and the newest matches only. */
function rawSql(caller: Caller): { all: string; newest: string; params: (words: string[]) => unknown[] } {
  const audience = audienceOf(caller.op.identity);
  if (audience.everything) {
    return {
      all: `SELECT m.conversation_id AS id, max(m.created_at) AS at FROM search.message m WHERE m.words @@ ${TSQUERY}
            GROUP BY m.conversation_id ORDER BY at DESC, id DESC LIMIT ${PAGE}`,
      newest: `SELECT id, max(at) AS at FROM (
                 SELECT m.conversation_id AS id, m.created_at AS at FROM search.message m WHERE m.words @@ ${TSQUERY}
                 ORDER BY m.created_at DESC LIMIT ${NEWEST_WINDOW}) w
               GROUP BY id ORDER BY at DESC, id DESC LIMIT ${PAGE}`,
      params: (words) => [words],
    };
  }
  // Whom this operator may see (search-engine.ts Audience), written for his case.
  const visible = [
    audience.allTab ? '' : 'NOT c.blacklisted AND',
    `(c.assignee_id = $2::uuid OR (${audience.groupIds ? 'c.group_id = ANY($3::uuid[])' : '$3::uuid[] IS NULL'}${audience.allTab ? '' : " AND c.status = 'unassigned'"}))`,
  ].join(' ');
  return {
    // The matches first, then whom he may see: the planner otherwise may walk his conversations first.
    all: `WITH hit AS MATERIALIZED (SELECT m.conversation_id AS id, max(m.created_at) AS at FROM search.message m WHERE m.words @@ ${TSQUERY} GROUP BY m.conversation_id)
          SELECT hit.id, hit.at FROM hit JOIN search.conversation c ON c.id = hit.id
          WHERE ${visible} ORDER BY hit.at DESC, hit.id DESC LIMIT ${PAGE}`,
    newest: `SELECT id, max(at) AS at FROM (
               SELECT m.conversation_id AS id, m.created_at AS at FROM search.message m JOIN search.conversation c ON c.id = m.conversation_id
               WHERE m.words @@ ${TSQUERY} AND ${visible}
               ORDER BY m.created_at DESC LIMIT ${NEWEST_WINDOW}) w
             GROUP BY id ORDER BY at DESC, id DESC LIMIT ${PAGE}`,
    params: (words) => [words, audience.operatorId, audience.groupIds],
  };
}

export type SearchCase = {
  query: string;
  shape: string;
  caller: string;
  requested: number;
  /** Messages of the index that hold every word (prefix), over all conversations. */
  matchingMessages: number;
  found: number;
  gatewayMs: Summary;
  serviceMs: Summary;
  rawAllMs: Summary;
  rawNewestMs: Summary;
  /** PostgresEngine.search run from the bench over pg: the service's SQL without HTTP, Express and JSON. */
  engineSqlMs: Summary;
  /** How many statements it needed (a window too small for the page, then the next, then every match). */
  engineStatements: number;
  engineSame: boolean;
  /** The newest-first lookup found the same page as the full one (else it is no floor for this case). */
  newestSame: boolean;
  /** The gateway's page is the raw lookup's (a match by client name alone is the engine's, not the lookup's). */
  sameRows: boolean;
  rawMs: Summary;
  rawShape: 'all matches' | 'newest matches';
  ratioP95: number;
  goalMet: boolean;
};

async function measureQuery(http: { gateway: Http; service: Http }, db: { conversation: Client; search: Client }, env: TestEnv, pick: QueryPick, caller: Caller, cfg: SearchBenchConfig): Promise<SearchCase> {
  const words = wordsOf(pick.q);
  const path = `/api/v1/search?${new URLSearchParams({ q: pick.q, limit: String(PAGE) }).toString()}`;
  const viaGateway = () => http.gateway.get(path, { authorization: `Bearer ${caller.op.token}` });
  const servicePath = path.replace('/api/v1', '');
  const viaService = () => http.service.get(servicePath, { [IDENTITY_HEADER]: signIdentity(caller.op.identity, env.env['INTERNAL_SECRET']!, { method: 'GET', path: servicePath }) });
  const sql = rawSql(caller);
  const params = sql.params(words);
  const raw = async (text: string) => {
    const t0 = performance.now();
    const result = await db.search.query<{ id: string }>(text, params);
    return { ids: result.rows.map((r) => r.id), ms: performance.now() - t0 };
  };
  // The engine's own SQL, as the service runs it (PostgresEngine over this pg client): its statements and their time.
  const engineStatements: number[] = [];
  const engine = new PostgresEngine({
    query: async (text: string, values: unknown[]) => {
      engineStatements.push(0);
      return (await db.search.query(text, values)).rows;
    },
  } as unknown as DataSource);
  const viaEngine = async () => {
    engineStatements.length = 0;
    const t0 = performance.now();
    const hits = await engine.search({ words, audience: audienceOf(caller.op.identity), limit: PAGE + 1 });
    return { ids: hits.slice(0, PAGE).map((h) => h.conversation.id), ms: performance.now() - t0, statements: engineStatements.length };
  };

  const first = await viaGateway();
  if (first.status !== 200) throw new Error(`search ${pick.q} as ${caller.name}: HTTP ${first.status} ${first.text.slice(0, 300)}`);
  const ids = (JSON.parse(first.text) as { items: { conversation: { id: string } }[] }).items.map((i) => i.conversation.id);
  const all = await raw(sql.all);
  const newest = await raw(sql.newest);
  const engineFirst = await viaEngine();
  const matching = await matchingMessages(db.search, pick.q);

  const gatewayMs: number[] = [];
  const serviceMs: number[] = [];
  const allMs: number[] = [];
  const newestMs: number[] = [];
  const engineMs: number[] = [];
  const started = performance.now();
  // Interleaved, so whatever else the machine does weighs on all four alike; the warm-up is not kept.
  for (let i = 0; i < cfg.warmup + cfg.requests; i++) {
    const g = await viaGateway();
    if (g.status !== 200) throw new Error(`search ${pick.q} as ${caller.name}: HTTP ${g.status} ${g.text.slice(0, 300)}`);
    const s = await viaService();
    if (s.status !== 200) throw new Error(`search ${pick.q} as ${caller.name} (search service): HTTP ${s.status} ${s.text.slice(0, 300)}`);
    const a = await raw(sql.all);
    const n = await raw(sql.newest);
    const e = await viaEngine();
    if (i < cfg.warmup) continue;
    engineMs.push(e.ms);
    gatewayMs.push(g.ms);
    serviceMs.push(s.ms);
    allMs.push(a.ms);
    newestMs.push(n.ms);
    if (i >= 2 * cfg.warmup && performance.now() - started > cfg.caseSeconds * 1000) break;
  }
  const gateway = summarize(gatewayMs);
  const rawAll = summarize(allMs);
  const rawNewest = summarize(newestMs);
  const newestSame = newest.ids.join() === all.ids.join();
  // The floor: the cheaper plain lookup that still finds the same page.
  const useNewest = newestSame && rawNewest.p95 < rawAll.p95;
  const rawMs = useNewest ? rawNewest : rawAll;
  const ratioP95 = Math.round((gateway.p95 / rawMs.p95) * 10) / 10;
  return {
    query: pick.q,
    shape: pick.name,
    caller: caller.name,
    requested: cfg.requests,
    matchingMessages: matching,
    found: ids.length,
    gatewayMs: gateway,
    serviceMs: summarize(serviceMs),
    rawAllMs: rawAll,
    rawNewestMs: rawNewest,
    engineSqlMs: summarize(engineMs),
    engineStatements: engineFirst.statements,
    engineSame: engineFirst.ids.join() === ids.join(),
    newestSame,
    sameRows: ids.join() === all.ids.join(),
    rawMs,
    rawShape: useNewest ? 'newest matches' : 'all matches',
    ratioP95,
    goalMet: ratioP95 <= 2 && gateway.p95 <= 20,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reindex, size, lag

export type ReindexResult = { conversations: number; messages: number; seconds: number; conversationsPerSec: number; messagesPerSec: number; ownLine: string; vacuumSeconds: number };

async function runReindex(stack: Stack, db: Client, log: (s: string) => void): Promise<ReindexResult> {
  const root = join(__dirname, '..');
  const t0 = performance.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npx', ['tsx', join(root, 'services', 'search', 'src', 'reindex.ts')], {
      cwd: root,
      env: { ...process.env, ...stack.env, CONVERSATION_URL: stack.conversation.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      for (const l of chunk.toString().split('\n')) {
        if (!l.trim()) continue;
        output.push(l);
        log(`  reindex: ${l.trim()}`);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`reindex exited ${code}: ${output.slice(-5).join(' / ')}`);
  const counts = await db.query<{ conversations: number; messages: number }>(
    'SELECT (SELECT count(*)::int FROM search.conversation) AS conversations, (SELECT count(*)::int FROM search.message) AS messages',
  );
  const { conversations, messages } = counts.rows[0]!;
  // What autovacuum would do after a million inserts: statistics for the planner, the GIN pending list merged.
  const v0 = performance.now();
  await db.query('VACUUM (ANALYZE) search.message, search.conversation');
  return {
    conversations,
    messages,
    seconds: round(seconds),
    conversationsPerSec: round(conversations / seconds),
    messagesPerSec: round(messages / seconds),
    ownLine: output.find((l) => l.startsWith('search index rebuilt')) ?? '',
    vacuumSeconds: round((performance.now() - v0) / 1000),
  };
}

/**
 * Live indexing stores messages as they come, in time order, which is the order the newest-first
 * walks read; a reindex stores them conversation by conversation. The queries are measured on the
 * order a running index has.
 */
async function storeInTimeOrder(db: Client): Promise<number> {
  const t0 = performance.now();
  await db.query('CLUSTER search.message USING message_recent');
  await db.query('ANALYZE search.message');
  return round((performance.now() - t0) / 1000);
}

export type IndexSize = { totalMb: number; relations: { name: string; mb: number }[] };

/** The search schema's two tables: each table (heap and TOAST) and each index on its own, and their sum. */
async function indexSize(db: Client): Promise<IndexSize> {
  const rows = await db.query<{ name: string; bytes: string }>(
    `SELECT t.relname || ' table' AS name, pg_table_size(t.oid) AS bytes FROM pg_class t WHERE t.oid IN ('search.message'::regclass, 'search.conversation'::regclass)
     UNION ALL
     SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid IN ('search.message'::regclass, 'search.conversation'::regclass)
     ORDER BY bytes DESC`,
  );
  const mb = (b: number) => round(b / 2 ** 20);
  return { totalMb: mb(rows.rows.reduce((a, r) => a + Number(r.bytes), 0)), relations: rows.rows.map((r) => ({ name: r.name, mb: mb(Number(r.bytes)) })) };
}

export type LagResult = { sent: number; indexed: number; rate: number; ms: Summary; goalMet: boolean; sendErrors: number; firstError: string };

/** Client messages at a steady rate through an `api` channel; lag = indexed_at − created_at of each, from the database. */
async function measureLag(stack: Stack, db: Client, groupId: string, cfg: SearchBenchConfig): Promise<LagResult> {
  const ws = await Workspace.open(stack);
  // At least 24 characters, or the channel is refused (and apiChannel does not say so).
  const channel = await ws.apiChannel(groupId, 'search-bench-lag-connector-key');
  const started = performance.now();
  let errors = 0;
  let firstError = '';
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < cfg.lagMessages; i++) {
    const wait = started + (i * 1000) / cfg.lagRate - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(
      channel.send(`search-lag-${i % 50}`, jsMessage(i)).then(
        (r) => {
          const { status, body } = r as { status: number; body: unknown };
          if (status !== 200) {
            errors++;
            firstError ||= `HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`;
          }
        },
        (error: unknown) => {
          errors++;
          firstError ||= String(error);
        },
      ),
    );
  }
  await Promise.all(sends);
  const counts = `SELECT count(*)::int AS stored, count(s.id)::int AS indexed
                  FROM conversation.message m LEFT JOIN search.message s ON s.id = m.id
                  WHERE m.external_message_id LIKE 'search-lag-%'`;
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { stored, indexed } = (await db.query<{ stored: number; indexed: number }>(counts)).rows[0]!;
    if ((stored >= cfg.lagMessages - errors && indexed >= stored) || performance.now() > deadline) break;
    await sleep(200);
  }
  const lags = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM s.indexed_at - m.created_at)::float8 * 1000 AS ms
     FROM conversation.message m JOIN search.message s ON s.id = m.id WHERE m.external_message_id LIKE 'search-lag-%'`,
  );
  const summary = summarize(lags.rows.map((r) => r.ms));
  return { sent: cfg.lagMessages, indexed: lags.rows.length, rate: cfg.lagRate, ms: summary, goalMet: lags.rows.length === cfg.lagMessages && summary.p99 <= 1000, sendErrors: errors, firstError };
}

// ---------------------------------------------------------------------------------------------------

export type SearchResult = { config: SearchBenchConfig; load: LoadResult; reindex: ReindexResult; size: IndexSize; timeOrderSeconds: number; queries: QueryPick[]; cases: SearchCase[]; lag: LagResult; cpu: CpuUse; goalsMet: number };

export async function runSearchBench(env: TestEnv, stack: Stack, cfg: SearchBenchConfig, log: (s: string) => void): Promise<SearchResult> {
  const db = new Client({ connectionString: env.databaseUrl, options: '-c search_path=conversation' });
  await db.connect();
  const searchDb = new Client({ connectionString: env.databaseUrl, options: '-c search_path=search' });
  await searchDb.connect();
  const http = { gateway: new Http(stack.gateway.url), service: new Http(stack.search.url) };
  try {
    const scene = await setUpScene(stack, 'Search');
    log(`search bench: loading ${cfg.conversations} conversations and ${cfg.conversations * cfg.messagesPerConversation} messages of text in ${Object.keys(VOCABULARY).join(', ')}…`);
    const load = await loadInbox(db, scene, { conversations: cfg.conversations, messagesPerConversation: cfg.messagesPerConversation, requests: 0, warmup: 0, deepRows: 0, limit: 0 }, realisticText);
    log(`search bench: loaded in ${load.totalSeconds} s (${Object.entries(load.seconds).map(([k, v]) => `${k} ${v} s`).join(', ')}); reindexing…`);
    const reindex = await runReindex(stack, db, log);
    const size = await indexSize(db);
    log('search bench: storing the index\'s messages in time order…');
    const timeOrderSeconds = await storeInTimeOrder(db);
    const queries = await pickQueries(db);
    log(`search bench: queries ${queries.map((q) => `${q.name} "${q.q}"`).join('; ')}`);
    const callers: Caller[] = [
      { name: 'super_admin', op: scene.admin },
      { name: 'operator of one group', op: scene.operators[0]! },
    ];
    const named = new Map<number, string>([[process.pid, 'bench'], ...(['gateway', 'ingestion', 'routing', 'conversation', 'search'] as const).map((s) => [stack[s].process.pid!, s] as [number, string])]);
    const cpuBefore = cpuSnapshot(named);
    const cases: SearchCase[] = [];
    for (const pick of queries) {
      for (const caller of callers) {
        const c = await measureQuery(http, { conversation: db, search: searchDb }, env, pick, caller, cfg);
        log(caseLine(c));
        cases.push(c);
      }
    }
    const cpu = cpuBetween(cpuBefore, cpuSnapshot(named));
    log(`search bench: indexing lag, ${cfg.lagMessages} messages at ${cfg.lagRate}/s…`);
    const lag = await measureLag(stack, db, scene.groups[0]!, cfg);
    return { config: cfg, load, reindex, size, timeOrderSeconds, queries, cases, lag, cpu, goalsMet: cases.filter((c) => c.goalMet).length };
  } finally {
    http.gateway.close();
    http.service.close();
    await searchDb.end();
    await db.end();
  }
}

const caseLine = (c: SearchCase): string =>
  `search ${c.shape} "${c.query}" (${c.matchingMessages} messages) as ${c.caller}: p95 ${ms(c.gatewayMs.p95)} via gateway vs ${ms(c.rawMs.p95)} raw SQL (${c.ratioP95}x; goal ≤ 2x and ≤ 20 ms: ${c.goalMet ? 'met' : 'not met'})` +
  `  p50 ${ms(c.gatewayMs.p50)} vs ${ms(c.rawMs.p50)}  search service alone p95 ${ms(c.serviceMs.p95)} p50 ${ms(c.serviceMs.p50)}  engine SQL p95 ${ms(c.engineSqlMs.p95)} (${c.engineStatements} statement${c.engineStatements > 1 ? 's' : ''})  raw all matches p95 ${ms(c.rawAllMs.p95)}, newest ${NEWEST_WINDOW} p95 ${ms(c.rawNewestMs.p95)}${c.newestSame ? '' : ' (another page)'}` +
  `${c.gatewayMs.count < c.requested ? `  n=${c.gatewayMs.count}` : ''}${c.sameRows ? '' : '  (gateway page ≠ raw page)'}${c.engineSame ? '' : '  (engine page ≠ gateway page)'}`;

export function reportSearch(r: SearchResult): string[] {
  const l = r.load;
  const x = r.reindex;
  const noise = (r.cpu.byGroup['other'] ?? 0) + r.cpu.unattributed;
  const lag = r.lag;
  return [
    line('search bench data', `${l.conversations} conversations, ${l.messages} messages loaded in ${l.totalSeconds} s`, Object.entries(l.tables).map(([t, s]) => `${t} ${s.mb} MB`).join(', ')),
    line('search full reindex', `${x.conversations} conversations, ${x.messages} messages in ${x.seconds} s`, `${x.conversationsPerSec} conversations/s  ${x.messagesPerSec} messages/s`, `(then VACUUM ANALYZE ${x.vacuumSeconds} s; stored in time order in ${r.timeOrderSeconds} s)`),
    line('search index size (postgres engine)', `${r.size.totalMb} MB`, r.size.relations.map((s) => `${s.name} ${s.mb} MB`).join(', ')),
    ...r.cases.map(caseLine),
    line('cpu % of one core while querying', ['gateway', 'search', 'postgres', 'bench', 'other'].map((g) => `${g} ${r.cpu.byGroup[g] ?? 0}`).join('  ')),
    ...(noise >= 25 ? [line('WARNING', `other work used ~${noise}% of a core while querying: figures are pessimistic`)] : []),
    line(`search indexing lag, ${lag.rate} msg/s`, `p50 ${ms(lag.ms.p50)}  p99 ${ms(lag.ms.p99)}  max ${ms(lag.ms.max)}`, `(${lag.indexed} of ${lag.sent} indexed${lag.sendErrors ? `, ${lag.sendErrors} refused, e.g. ${lag.firstError}` : ''}; goal p99 ≤ 1 s: ${lag.goalMet ? 'met' : 'not met'})`),
    line('goal search p95 ≤ 2x raw and ≤ 20 ms', `met in ${r.goalsMet} of ${r.cases.length} cases`),
  ];
}
