import { createTestEnv, HttpClient, startStack, waitFor, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { HOSTILE_BODIES, HOSTILE_QUERIES, HOSTILE_VALUES, FuzzRun, nodePaths, withNode } from './support/hostile-input';

/**
 * D33 over every route of the gateway's OpenAPI document, generated: each operation gets a body
 * built from its schema, then that body with each field replaced by each hostile value, hostile
 * top-level bodies, and each query parameter set to each hostile string, as a super_admin and as an
 * operator. Whatever a route makes of it, the answer is never a 5xx. Routes added later are fuzzed
 * without anyone writing a case for them.
 */

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; format?: string; minimum?: number };
type Operation = { parameters?: { in: string; name: string; required?: boolean; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };

describe('every route of the OpenAPI document, fuzzed', () => {
  let env: TestEnv;
  let stack: Stack;
  let doc: { paths: Record<string, Record<string, Operation>>; components?: unknown };
  let callers: HttpClient[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    const sales = await workspace.group('Sales');
    const ann = await workspace.operator('Ann', [sales]);
    const channel = await workspace.apiChannel(sales);
    await channel.send('fuzzed-client', 'hello');
    const item = await waitFor('the conversation', async () => (await workspace.admin.get('/api/v1/conversations?tab=unassigned')).body.items[0]);
    const message = (await workspace.admin.get(`/api/v1/conversations/${item.id}/messages`)).body.items[0];
    const tag = (await workspace.admin.post('/api/v1/tags', { name: 'Fuzzed' })).body;
    const canned = (await ann.api.post('/api/v1/canned-responses', { title: 'Fuzzed', text: 'Hello' })).body;
    Object.assign(ids, { conversation: item.id, client: item.client.id, message: message.id, tag: tag.id, canned: canned.id, group: sales, operator: ann.id, channel: channel.id });
    callers = [workspace.admin, ann.api];
    doc = (await new HttpClient(stack.gateway.url).get('/api/v1/openapi.json')).body;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  /** A real id for a path or body field, by its name, else by the path it is in. */
  const idFor = (name: string, path: string): string => {
    const byName = Object.entries({ tag: 'tag', group: 'group', operator: 'operator', assignee: 'operator', message: 'message', channel: 'channel', client: 'client' }).find(([hint]) => name.toLowerCase().includes(hint));
    if (byName) return ids[byName[1]]!;
    const byPath = Object.entries({ '/clients/': 'client', '/canned-responses/': 'canned', '/tags/': 'tag', '/operators/': 'operator', '/channels/': 'channel', '/groups/': 'group' }).find(([part]) => path.includes(part));
    return ids[byPath?.[1] ?? 'conversation']!;
  };

  const deref = (schema: Schema | undefined): Schema => {
    if (!schema?.$ref) return schema ?? {};
    const target = schema.$ref.split('/').slice(1).reduce<any>((node, key) => node?.[key], doc);
    return deref(target as Schema);
  };

  /** A plausible value of the schema: every field, real ids, the first of each choice. */
  const sample = (raw: Schema | undefined, name: string, path: string, depth = 0): unknown => {
    const schema = deref(raw);
    const choices = schema.anyOf ?? schema.oneOf;
    if (choices) return sample(choices[0], name, path, depth);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s, name, path, depth) as object));
    if (schema.enum) return schema.enum[0];
    if (schema.const !== undefined) return schema.const;
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (type === 'object' || schema.properties) return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, field]) => [key, sample(field, key, path, depth + 1)]));
    if (type === 'array') return depth > 3 ? [] : [sample(schema.items, name, path, depth + 1)];
    if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
    if (type === 'boolean') return true;
    if (schema.format === 'uuid' || /Ids?$/.test(name)) return idFor(name, path);
    if (schema.format === 'email') return 'someone@example.com';
    if (schema.format === 'date-time') return new Date().toISOString();
    return name === 'phone' ? '+4915112345678' : 'fuzzed text';
  };

  it('D33: no body, field, top-level value or query parameter makes any route answer 5xx', async () => {
    const run = new FuzzRun();
    for (const [template, operations] of Object.entries(doc.paths)) {
      // Logging out would end the callers' sessions, and every later answer would be a 401.
      if (['/stream', '/auth/login', '/auth/logout'].some((end) => template.endsWith(end))) continue;
      for (const [verb, operation] of Object.entries(operations)) {
        const method = verb.toUpperCase();
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => idFor(name, template));
        const queries = (operation.parameters ?? []).filter((p) => p.in === 'query');
        const required = new URLSearchParams(Object.fromEntries(queries.filter((q) => q.required).map((q) => [q.name, String(sample(q.schema, q.name, template))]))).toString();
        const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
        const body = bodySchema ? sample(bodySchema, '', template) : undefined;
        for (const [c, caller] of callers.entries()) {
          const label = (what: string) => `${method} ${template} as ${c === 0 ? 'super_admin' : 'operator'}, ${what}`;
          for (const q of queries) for (const value of HOSTILE_QUERIES) run.judge(label(`${q.name}=${value.slice(0, 12)}`), await caller.send(method, `${path}?${required ? `${required}&` : ''}${q.name}=${value}`));
          if (body === undefined) continue;
          for (const field of nodePaths(body)) for (const value of HOSTILE_VALUES) run.judge(label(`${field.join('.')}=${JSON.stringify(value)?.slice(0, 12)}`), await caller.send(method, path, withNode(body, field, value)));
          for (const raw of HOSTILE_BODIES) run.judge(label(`body ${raw.slice(0, 12)}`), await caller.send(method, path, undefined, {}, raw));
        }
      }
    }
    expect(run.failures).toEqual([]);
    console.info(`route fuzz: ${run.sent} requests`);
    expect(run.sent).toBeGreaterThan(2_000);
  }, 300_000);
});
