import { describe, expect, it } from 'vitest';
import { refusalOf } from './attachments';

describe('D15: attachment rules', () => {
  it('take an allowed file, refuse a wrong type, an oversize file and an empty one', () => {
    expect(refusalOf('telegram', { name: 'a.zip', type: 'application/zip', size: 1000 })).toBeUndefined();
    expect(refusalOf('webchat', { name: 'a.zip', type: 'application/zip', size: 1000 })).toMatch(/does not take \.zip files/);
    expect(refusalOf('webchat', { name: 'run.sh', type: 'text/x-sh', size: 10 })).toMatch(/does not take \.sh files/);
    expect(refusalOf('webchat', { name: 'big.pdf', type: 'application/pdf', size: 10_000_001 })).toMatch(/up to 10 MB/);
    expect(refusalOf('webchat', { name: 'empty.txt', type: 'text/plain', size: 0 })).toMatch(/is empty/);
    expect(refusalOf('api', { name: 'noextension', type: 'image/png', size: 10 })).toBeUndefined();
    expect(refusalOf('api', { name: 'noextension', type: 'application/x-msdownload', size: 10 })).toMatch(/does not take this type of files/);
    expect(refusalOf('api', { name: 'noextension', type: '', size: 10 })).toBeUndefined();
    expect(refusalOf('webchat', { name: 'noextension', type: '', size: 11_000_000 })).toMatch(/takes files up to 10 MB/);
  });
});
