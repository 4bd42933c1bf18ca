import { readFileSync } from 'node:fs';
import { connectorDocPath, connectorExamples, exampleBlock, jsonOf, renderConnectorDocs } from '../scripts/connector-docs';

/** docs/connectors.md: its JSON examples are the ones the zod schemas accept, and as generated. */
describe('connector contract document', () => {
  const doc = readFileSync(connectorDocPath, 'utf8');
  const blocks = [...doc.matchAll(exampleBlock)].map(([, name, block]) => ({ name: name!, json: jsonOf(block!) }));

  it('holds every generated example once', () => {
    expect(blocks.map((b) => b.name).sort()).toEqual(Object.keys(connectorExamples()).sort());
  });

  it.each(blocks)('example $name, read back from the page, passes its check', ({ name, json }) => {
    const check = connectorExamples()[name]?.check;
    expect(check).toBeDefined();
    expect(json).toBeDefined();
    expect(check!(JSON.parse(json!))).toBeUndefined();
  });

  it('is what `npm run docs:connectors` writes', () => {
    // When this fails: npm run docs:connectors, and commit docs/connectors.md.
    expect(doc).toBe(renderConnectorDocs(doc));
  });

  it('a check refuses an example that the schema would refuse, naming the field', () => {
    const { value, check } = connectorExamples()['inbound-envelope']!;
    const envelope = value as { payload: object };
    expect(check({ ...envelope, payload: { ...envelope.payload, sentAt: 'yesterday' } })).toMatch(/sentAt/);
  });

  it('refuses a block that no example fills, and a page that lacks a block', () => {
    expect(() => renderConnectorDocs(doc.replace('<!-- generated: inbound-text -->', '<!-- generated: inbound-textt -->'))).toThrow(/inbound-textt/);
    expect(() => renderConnectorDocs(doc.replace(/<!-- generated: delivery-failed -->[\s\S]*?<!-- end generated -->/, ''))).toThrow(/lacks the blocks delivery-failed/);
  });
});
