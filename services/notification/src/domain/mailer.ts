export type OutgoingMail = {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { fileName: string; contentType: string; content: Buffer }[];
};

/** Hands a mail to the SMTP server; resolves once the server took it, rejects with its answer otherwise. */
export type Mailer = {
  send(mail: OutgoingMail): Promise<{ rejected: string[] }>;
  close(): void;
};
