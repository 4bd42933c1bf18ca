import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type MailCatcher = { smtpUrl: string; url: string; stop(): Promise<void> };

type CaughtMail = { id: number; at: Date; mail: ParsedMail };

const KEEP = 200;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const addresses = (a: AddressObject | AddressObject[] | undefined): string => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''));

const page = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:6px 10px;border-bottom:1px solid #d0d7de}pre{white-space:pre-wrap;background:#f6f8fa;padding:12px}
iframe{width:100%;height:60vh;border:1px solid #d0d7de}</style></head><body>${body}</body></html>`;

function listPage(mails: CaughtMail[]): string {
  const rows = mails
    .map(({ id, at, mail }) => `<tr><td>${at.toLocaleString()}</td><td>${escapeHtml(addresses(mail.from))}</td><td>${escapeHtml(addresses(mail.to))}</td><td><a href="/mails/${id}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td></tr>`)
    .join('');
  return page('Mail catcher', `<h1>Mail catcher</h1><p>The last ${KEEP} mails, newest first.</p><table><tr><th>Time</th><th>From</th><th>To</th><th>Subject</th></tr>${rows}</table>`);
}

function mailPage({ id, at, mail }: CaughtMail): string {
  const files = mail.attachments.map((a, i) => `<li><a href="/mails/${id}/attachments/${i}">${escapeHtml(a.filename ?? `attachment-${i}`)}</a> (${a.size} bytes, ${escapeHtml(a.contentType)})</li>`).join('');
  // The mail's HTML runs in a sandboxed frame: no scripts, no access to this page.
  const html = typeof mail.html === 'string' ? `<h2>HTML</h2><iframe sandbox srcdoc="${escapeHtml(mail.html)}"></iframe>` : '';
  return page(
    mail.subject ?? 'Mail',
    `<p><a href="/">&larr; all mails</a></p><h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>
<p>${at.toLocaleString()}<br>From: ${escapeHtml(addresses(mail.from))}<br>To: ${escapeHtml(addresses(mail.to))}<br>Message-ID: ${escapeHtml(mail.messageId ?? '')}</p>
${files ? `<h2>Attachments</h2><ul>${files}</ul>` : ''}${html}<h2>Text</h2><pre>${escapeHtml(mail.text ?? '')}</pre>`,
  );
}

/** A local SMTP server that keeps the last 200 mails in memory and shows them on a web page. */
export async function startMailCatcher({ smtpPort = 1025, httpPort = 8025, host = '127.0.0.1' } = {}): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  let caught = 0;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      buffer(stream)
        .then((raw) => simpleParser(raw))
        .then((mail) => {
          mails.unshift({ id: ++caught, at: new Date(), mail });
          mails.length = Math.min(mails.length, KEEP);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  smtp.on('error', (error) => console.error('mail catcher:', error.message));
  await new Promise<void>((resolve) => smtp.listen(smtpPort, host, resolve));

  const send = (res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
  const http = createServer((req, res) => {
    const [, mailId, , index] = /^\/mails\/(\d+)(\/attachments\/(\d+))?$/.exec(req.url ?? '') ?? [];
    if (req.url === '/') return send(res, 200, listPage(mails));
    const found = mails.find((m) => String(m.id) === mailId);
    if (!found) return send(res, 404, page('Not found', '<p>No such mail. <a href="/">All mails</a></p>'));
    if (index === undefined) return send(res, 200, mailPage(found));
    const file = found.mail.attachments[Number(index)];
    if (!file) return send(res, 404, page('Not found', '<p>No such attachment.</p>'));
    send(res, 200, file.content, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename ?? `attachment-${index}`)}`,
    });
  });
  http.listen(httpPort, host);
  await once(http, 'listening');

  const smtpAddress = smtp.server.address() as AddressInfo;
  return {
    smtpUrl: `smtp://${host}:${smtpAddress.port}`,
    url: `http://${host}:${(http.address() as AddressInfo).port}`,
    async stop() {
      http.closeAllConnections();
      await Promise.all([new Promise((resolve) => http.close(resolve)), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}

/** `npx tsx scripts/mail-catcher.ts`: SMTP on 1025, the web page on 8025. */
if (require.main === module) {
  void startMailCatcher().then((catcher) => console.log(`Mail catcher: SMTP ${catcher.smtpUrl}, mails at ${catcher.url}`));
}
