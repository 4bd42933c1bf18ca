import { randomBytes } from 'node:crypto';
import { MeiliEngine } from '../src/store/meili-engine';
import { describeEngineContract } from './engine-contract';

/*
 * The shared contract against a real Meilisearch (v1.12 or later: `prefixSearch`), when MEILI_URL
 * (and MEILI_MASTER_KEY, if the server has one) is set. Every run gets its own indexes and deletes them.
 */
const url = process.env.MEILI_URL;

if (url) {
  describeEngineContract('meilisearch', async () => {
    const engine = new MeiliEngine({ url, apiKey: process.env.MEILI_MASTER_KEY, indexPrefix: `test_${randomBytes(6).toString('hex')}_` });
    await engine.start();
    return { engine, dispose: () => engine.drop() };
  });
} else {
  console.log('skipped: no MEILI_URL');
  describe.skip('no MEILI_URL: the Meilisearch engine contract', () => {
    it('runs the shared contract against a Meilisearch server', () => undefined);
  });
}
