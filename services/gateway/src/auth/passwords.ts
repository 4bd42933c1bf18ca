import bcrypt from 'bcryptjs';

export class Passwords {
  /** Compared against when the email is unknown, so that answer takes as long as a wrong password. */
  private readonly decoy: string;

  constructor(private readonly rounds: number) {
    this.decoy = bcrypt.hashSync('decoy password', rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  verify(password: string, hash: string | undefined): Promise<boolean> {
    return hash === undefined ? bcrypt.compare(password, this.decoy).then(() => false) : bcrypt.compare(password, hash);
  }
}
