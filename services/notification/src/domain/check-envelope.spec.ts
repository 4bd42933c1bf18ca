import { envelopeProblem } from './check-envelope';

describe('envelopeProblem', () => {
  it('D23: plain addresses and a one-line subject pass', () => {
    expect(envelopeProblem({ to: ['boss@example.com', 'a.b+c@sub.example.org'], subject: 'Order 42 🌸 «ok»' })).toBeUndefined();
  });

  it('D23: anything else is refused with a reason, never retried', () => {
    expect(envelopeProblem({ to: ['ok@example.com', 'not an email'], subject: 's' })).toBe('Not a mail address: "not an email"');
    expect(envelopeProblem({ to: ['a@b.com\r\nRCPT TO:<x@y.com>'], subject: 's' })).toMatch(/^Not a mail address/);
    expect(envelopeProblem({ to: ['ok@example.com'], subject: 'one\r\nBcc: x@y.com' })).toBe('The subject must be one line');
  });
});
