import { createCannedResponseBody, listCannedResponsesQuery, patchCannedResponseBody } from './canned-responses';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('canned response contracts', () => {
  it('D16: a title is trimmed, 1–100 characters; a text 1–4000, kept as typed; an emoji counts as one', () => {
    expect(createCannedResponseBody.parse({ title: '  Greeting ', text: ' Hello 👋\n' })).toEqual({ title: 'Greeting', text: ' Hello 👋\n' });
    expect(createCannedResponseBody.safeParse({ title: '🙂'.repeat(100), text: '🙂'.repeat(4000) }).success).toBe(true);
    expect(issues(createCannedResponseBody.safeParse({ title: '🙂'.repeat(101), text: 'x'.repeat(4001) }))).toEqual(['title: must be at most 100 characters', 'text: must be at most 4000 characters']);
    expect(issues(createCannedResponseBody.safeParse({ title: '   ', text: ' \n ' }))).toEqual(['title: must not be blank', 'text: must not be blank']);
  });

  it('D16: text PostgreSQL cannot store faithfully (NUL, an unpaired surrogate) is refused naming the field (D33)', () => {
    expect(issues(createCannedResponseBody.safeParse({ title: 'a\u0000b', text: 'x\uD800' }))).toEqual([
      'title: must not contain NUL characters or unpaired surrogates',
      'text: must not contain NUL characters or unpaired surrogates',
    ]);
  });

  it('D16: unknown fields are refused; a patch names title, text or both (D33)', () => {
    expect(issues(createCannedResponseBody.safeParse({ title: 't', text: 't', scope: 'global' }))[0]).toMatch(/scope/);
    expect(patchCannedResponseBody.safeParse({ text: 'only text' }).success).toBe(true);
    expect(issues(patchCannedResponseBody.safeParse({}))).toEqual([': names no field to change: give title, text or both']);
    expect(issues(listCannedResponsesQuery.safeParse({ q: 'gre', search: 'x' }))[0]).toMatch(/search/);
    expect(issues(listCannedResponsesQuery.safeParse({ q: 'g'.repeat(101) }))).toEqual(['q: must be at most 100 characters']);
  });
});
