import { buffer } from 'node:stream/consumers';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { freePort } from './services';

const smtpReply = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/**
 * A real SMTP server that keeps the mails it accepted (answered 250), and can be down, answer 4xx
 * at DATA, refuse recipients named `refuse…` (550) or `busy…` (451), or stall at the end of DATA.
 */
export class TestSmtpServer {
  readonly accepted: ParsedMail[] = [];
  /** DATA phases that reached their end and got no answer. */
  stalled = 0;
  stallData = false;
  /** The next this many DATA phases are answered 451. */
  temporaryFailures = 0;
  private server: SMTPServer | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(await freePort());
    await smtp.up();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  mailsWithId(messageId: string): ParsedMail[] {
    return this.accepted.filter((m) => m.messageId === messageId);
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      closeTimeout: 100,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (address.address.startsWith('refuse')) callback(smtpReply(550, `5.1.1 <${address.address}>: no such user here`));
        else if (address.address.startsWith('busy')) callback(smtpReply(451, '4.2.1 mailbox busy, try later'));
        else callback();
      },
      onData: (stream, session, callback) => void this.receive(stream, session, callback),
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async receive(stream: SMTPServerDataStream, _session: SMTPServerSession, callback: (error?: Error | null) => void): Promise<void> {
    const raw = await buffer(stream);
    if (this.stallData) {
      this.stalled++;
      return; // no answer: the client waits until it gives up or dies
    }
    if (this.temporaryFailures > 0) {
      this.temporaryFailures--;
      callback(smtpReply(451, '4.3.0 temporary local problem, try again'));
      return;
    }
    this.accepted.push(await simpleParser(raw));
    callback();
  }
}
