/** Values, query strings and whole bodies that a hostile or broken client sends (D33 fuzz suites). */
export const HOSTILE_VALUES: unknown[] = ['\u0000', 'a\uD800', 'x'.repeat(70_000), 1e308, -1, 1.5, null, {}, [], [[[]]], true, '', ' ', "' OR 1=1 --", '2020-13-45T99:99:99Z', '9999-12-31T23:59:59Z', '💥\u202e', '00000000-0000-0000-0000-000000000000'];
export const HOSTILE_QUERIES = ['%00', '%ED%A0%80', '%FF', 'x'.repeat(5000), '-1', '1e999', 'NaN', '0001-01-01', 'infinity', "'%20OR%201=1"];
export const HOSTILE_BODIES = ['[]', '"text"', 'null', '123', '{"__proto__":{"admin":true}}', `${'['.repeat(5000)}${']'.repeat(5000)}`];

type Key = string | number;

/** The path of every node under the root of a JSON value: object fields and array elements, at any depth. */
export const nodePaths = (value: unknown, prefix: Key[] = []): Key[][] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([key, v]) => [[...prefix, Array.isArray(value) ? Number(key) : key], ...nodePaths(v, [...prefix, Array.isArray(value) ? Number(key) : key])]) : [];

/** A copy of `value` with the node at `path` replaced. */
export const withNode = (value: unknown, path: Key[], replacement: unknown): unknown => {
  const copy = structuredClone(value) as Record<Key, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
};

/** What a fuzz run sent: how many requests, and each one answered 5xx (or found wrong) with its label. */
export class FuzzRun {
  sent = 0;
  readonly failures: string[] = [];

  judge(label: string, answer: { status: number; body: unknown }): void {
    this.sent++;
    if (answer.status >= 500) this.fail(label, answer);
  }

  fail(label: string, answer: { status: number; body: unknown }): void {
    this.failures.push(`${label}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  }
}
