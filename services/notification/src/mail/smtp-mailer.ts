import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { NotificationConfig } from '../config';
import type { Mailer } from '../domain/mailer';

/** nodemailer over SMTP, one connection per mail. */
export function smtpMailer(config: Pick<NotificationConfig, 'SMTP_URL' | 'MAIL_FROM' | 'SMTP_CONNECTION_TIMEOUT_MS' | 'SMTP_SOCKET_TIMEOUT_MS'>): Mailer {
  const transport = nodemailer.createTransport(
    new SMTPTransport({
      url: config.SMTP_URL,
      connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
      socketTimeout: config.SMTP_SOCKET_TIMEOUT_MS,
    }),
  );
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: config.MAIL_FROM,
        to: mail.to,
        subject: mail.subject,
        messageId: mail.messageId,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments.map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.content })),
      });
      return { rejected: info.rejected.map((r) => (typeof r === 'string' ? r : r.address)) };
    },
    close: () => transport.close(),
  };
}
