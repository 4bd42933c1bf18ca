import type { Logger } from '@relaydesk/service-kit';

export type TranscriptSenderOptions = {
  /** Sends the next due transcript and answers whether there was one. */
  sendNext: () => Promise<boolean>;
  concurrency: number;
  pollMs: number;
  logger: Logger;
};

/**
 * Workers that send due transcripts one after another and, when none is due, wait for `kick` (a
 * request queued in this process) or `pollMs` (one queued by another replica, a retry come due).
 */
export class TranscriptSender {
  private stopped = false;
  private workers: Promise<void>[] = [];
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: TranscriptSenderOptions) {}

  start(): this {
    for (let i = 0; i < this.options.concurrency; i++) this.workers.push(this.work());
    return this;
  }

  kick(): void {
    for (const wake of [...this.waiting]) wake();
  }

  /** Takes no new job and waits for the mails in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      let sent = false;
      try {
        sent = await this.options.sendNext();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'transcript sender failed: retrying');
      }
      if (!sent) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.options.pollMs);
      this.waiting.add(wake);
    });
  }
}
