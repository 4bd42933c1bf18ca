import { z } from 'zod';
import { uploadFields } from './attachments';
import { createCannedResponseBody, listCannedResponsesQuery, patchCannedResponseBody } from './canned-responses';
import { createChannelBody, patchChannelBody } from './channels';
import { clientNoteBody, renameClientBody } from './clients';
import { assignBody, changeGroupBody, listConversationsQuery, listLogQuery, listMessagesQuery, noteBody, sendMessageBody } from './conversations';
import { errorBody } from './errors';
import { outgoingCheckBody, startOutgoingBody } from './outgoing';
import { searchQuery } from './search';
import { transcriptBody } from './transcripts';
import { createTagBody, listTagsQuery, tagMessagesBody } from './tags';
import { tagAnalyticsQuery, taggedMessagesQuery } from './analytics';
import { changePasswordBody, createGroupBody, createOperatorBody, loginBody, logoutBody, patchOperatorBody, renameGroupBody } from './identity';

type Route = { method: 'get' | 'post' | 'patch' | 'put' | 'delete'; path: string; summary: string; body?: z.ZodType; upload?: z.ZodObject; query?: z.ZodObject; auth?: 'bearer' | 'none'; ok?: number };

/** The public HTTP surface that exists today; the OpenAPI document is generated from it. */
export const gatewayRoutes: Route[] = [
  { method: 'post', path: '/api/v1/auth/login', summary: 'Log in (rate limited)', body: loginBody, auth: 'none' },
  { method: 'post', path: '/api/v1/auth/logout', summary: 'Revoke the access token sent, or with everywhere every one of the caller’s; 204', body: logoutBody, ok: 204 },
  { method: 'get', path: '/api/v1/me', summary: 'The caller' },
  { method: 'post', path: '/api/v1/me/password', summary: 'Change the caller’s own password: revokes his other access tokens and answers a new one {accessToken}; 403 when currentPassword is wrong (rate limited like logins)', body: changePasswordBody },
  { method: 'post', path: '/api/v1/operators', summary: 'Create an operator (super_admin)', body: createOperatorBody, ok: 201 },
  { method: 'get', path: '/api/v1/operators', summary: 'Operators the caller may assign to (D21)' },
  { method: 'patch', path: '/api/v1/operators/{id}', summary: 'Change an operator (super_admin)', body: patchOperatorBody },
  { method: 'post', path: '/api/v1/operators/{id}/logout', summary: 'End every session of an operator without changing his password (super_admin); 204', ok: 204 },
  { method: 'post', path: '/api/v1/groups', summary: 'Create a group (super_admin)', body: createGroupBody, ok: 201 },
  { method: 'get', path: '/api/v1/groups', summary: 'All groups' },
  { method: 'patch', path: '/api/v1/groups/{id}', summary: 'Rename a group (super_admin); 409 when the name is taken', body: renameGroupBody },
  { method: 'post', path: '/api/v1/channels', summary: 'Create a channel (super_admin); secrets are write-only', body: createChannelBody, ok: 201 },
  { method: 'get', path: '/api/v1/channels', summary: 'Channels without their secrets (super_admin)' },
  { method: 'patch', path: '/api/v1/channels/{id}', summary: 'Change a channel (super_admin)', body: patchChannelBody },
  { method: 'post', path: '/api/v1/channels/{id}/telegram/webhook', summary: 'Register a telegram channel’s webhook with Telegram (setWebhook with its secret token; super_admin); 502 when Telegram refuses, 503 when it cannot be reached' },
  { method: 'get', path: '/api/v1/conversations', summary: 'A tab of the workspace (D3, D4, D9, D11, D13, D28)', query: listConversationsQuery },
  { method: 'get', path: '/api/v1/stream', summary: 'The live stream (API.md "Real time"): a WebSocket, opened with ?token= or the subprotocols "bearer, <token>"; a plain GET answers 426', auth: 'none', ok: 101 },
  { method: 'get', path: '/api/v1/conversations/counters', summary: 'My inbox (#9) and each tab’s unread (#10): {mine, unread: {unassigned, mine, closed, all, blacklist}}, All and Blacklist only with D1’s permissions (D14)' },
  { method: 'get', path: '/api/v1/conversations/{id}', summary: 'One conversation' },
  { method: 'post', path: '/api/v1/conversations/{id}/take', summary: 'Start conversation (D7)' },
  { method: 'post', path: '/api/v1/conversations/{id}/close', summary: 'To closed (D8)' },
  { method: 'post', path: '/api/v1/conversations/{id}/unassign', summary: 'To Unassigned (D8)' },
  { method: 'post', path: '/api/v1/conversations/{id}/reopen', summary: 'Start again from Closed (D10)' },
  { method: 'post', path: '/api/v1/conversations/{id}/assign', summary: 'Assign to an operator (D21)', body: assignBody },
  { method: 'post', path: '/api/v1/conversations/{id}/group', summary: 'Assign to a group: Unassigned there (D22)', body: changeGroupBody },
  { method: 'post', path: '/api/v1/conversations/{id}/blacklist', summary: 'Send the client to the blacklist (D27)' },
  { method: 'delete', path: '/api/v1/conversations/{id}/blacklist', summary: 'Unlock: off the blacklist, to Unassigned if he wrote meanwhile (D27)' },
  { method: 'post', path: '/api/v1/conversations/{id}/notes', summary: 'An internal note, never sent to the client (D18)', body: noteBody, ok: 201 },
  { method: 'get', path: '/api/v1/conversations/{id}/messages', summary: 'Message history, older pages by cursor', query: listMessagesQuery },
  { method: 'post', path: '/api/v1/conversations/{id}/messages', summary: 'Reply (D8, D15): JSON text, or multipart with one file (type told from its bytes, limits per channel: 413, 415); Idempotency-Key makes a retry one message', body: sendMessageBody, upload: uploadFields, ok: 201 },
  { method: 'get', path: '/api/v1/attachments/{id}', summary: 'A message’s file, streamed with its type and original name (D15, D34)' },
  { method: 'post', path: '/api/v1/conversations/{id}/read', summary: 'Reset the unread count (D14)' },
  { method: 'get', path: '/api/v1/conversations/{id}/log', summary: 'Every movement (D12), the latest first page, older ones by cursor (before)', query: listLogQuery },
  { method: 'get', path: '/api/v1/features', summary: 'Paid features of this installation (D29)' },
  { method: 'post', path: '/api/v1/outgoing/check', summary: 'Whether a phone number has WhatsApp (D29; 404 when the feature is off)', body: outgoingCheckBody },
  { method: 'post', path: '/api/v1/outgoing', summary: 'Start an outgoing WhatsApp conversation in my inbox (D29, D3; 404 when the feature is off)', body: startOutgoingBody, ok: 201 },
  { method: 'get', path: '/api/v1/clients/{id}', summary: 'A client profile' },
  { method: 'patch', path: '/api/v1/clients/{id}', summary: 'Rename a client; originalName stays (D17)', body: renameClientBody },
  { method: 'put', path: '/api/v1/clients/{id}/note', summary: 'The profile note (D19)', body: clientNoteBody },
  { method: 'post', path: '/api/v1/clients/{id}/pin', summary: 'Pin the client to yourself (D30)' },
  { method: 'delete', path: '/api/v1/clients/{id}/pin', summary: 'Detach a pin: your own, or any as super_admin (D31)' },
  { method: 'get', path: '/api/v1/canned-responses', summary: 'Global canned responses and the caller’s own, by title; q looks up a title or text prefix (D16)', query: listCannedResponsesQuery },
  { method: 'post', path: '/api/v1/canned-responses', summary: 'A canned response: global from a super_admin, personal from an operator (D16)', body: createCannedResponseBody, ok: 201 },
  { method: 'patch', path: '/api/v1/canned-responses/{id}', summary: 'Change one’s own canned response; global ones only a super_admin (D16, D34)', body: patchCannedResponseBody },
  { method: 'delete', path: '/api/v1/canned-responses/{id}', summary: 'Delete one’s own canned response; global ones only a super_admin (D16, D34)', ok: 204 },
  { method: 'post', path: '/api/v1/conversations/{id}/transcript', summary: 'Send the conversation, or the chosen messages, to email; 202 at once, the mail goes out from the notification service (D23)', body: transcriptBody, ok: 202 },
  { method: 'get', path: '/api/v1/transcripts/{id}', summary: 'Whether a transcript mail is queued, sent or failed, and why (D23)' },
  { method: 'get', path: '/api/v1/tags', summary: 'Tags by name, a page at a time (nextCursor); prefix looks one up (D24)', query: listTagsQuery },
  { method: 'post', path: '/api/v1/tags', summary: 'A tag; an existing name (any case) answers the existing tag with 200 (D24)', body: createTagBody, ok: 201 },
  { method: 'patch', path: '/api/v1/tags/{id}', summary: 'Refused with 405: a tag is never renamed (D24)', ok: 405 },
  { method: 'delete', path: '/api/v1/tags/{id}', summary: 'Refused with 405: a tag is never deleted (D24)', ok: 405 },
  { method: 'post', path: '/api/v1/conversations/{id}/tags', summary: 'Put one tag, by id or by name (created when new), on messages of the conversation (D24)', body: tagMessagesBody },
  { method: 'get', path: '/api/v1/analytics/tags', summary: 'Tagged messages per tag and bucket (day, week, month in tz), zero-filled, with totals; Accept: text/csv gives CSV (D25; analytics.view)', query: tagAnalyticsQuery },
  { method: 'get', path: '/api/v1/analytics/tags/{tagId}/messages', summary: 'The messages behind a count, newest first, with their conversations (D25; analytics.view)', query: taggedMessagesQuery },
  { method: 'get', path: '/api/v1/search', summary: 'Conversations the caller may open whose client name or messages hold every word (prefixes); 400 under 3 characters (D26)', query: searchQuery },
];

const schemaOf = (s: z.ZodType) => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return json;
};

/** A multipart body: one binary `file` part beside the fields of `fields`. */
const uploadSchemaOf = (fields: z.ZodObject) => {
  const { properties = {} } = schemaOf(fields) as { properties?: Record<string, object> };
  return { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, ...properties } };
};

export function openApiDocument(title: string, routes: Route[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }));
    const query = r.query
      ? Object.entries((schemaOf(r.query) as { properties?: Record<string, object> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', schema }))
      : [];
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      ...(r.auth === 'none' ? { security: [] } : {}),
      parameters: [...params, ...query],
      ...(r.body || r.upload ? { requestBody: { required: true, content: { ...(r.body ? { 'application/json': { schema: schemaOf(r.body) } } : {}), ...(r.upload ? { 'multipart/form-data': { schema: uploadSchemaOf(r.upload) } } : {}) } } } : {}),
      responses: {
        [String(r.ok ?? 200)]: { description: 'OK' },
        default: { description: 'An error', content: { 'application/json': { schema: schemaOf(errorBody) } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
