import { csvField, toCsv } from './csv';

describe('tag analytics CSV', () => {
  it('D25: fields with a comma, quote or line break are quoted, quotes doubled; others are left as they are', () => {
    expect(csvField('billing')).toBe('billing');
    expect(csvField('late, again')).toBe('"late, again"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('Ünïcødé 😊')).toBe('Ünïcødé 😊');
    expect(csvField(42)).toBe('42');
  });

  it('D25: a tag name a spreadsheet would run as a formula starts with a quote', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('a=1')).toBe('a=1');
  });

  it('D25: rows end with CRLF', () => {
    expect(toCsv([['bucket_start', 'count'], ['2026-03-29T00:00:00+01:00', 3]])).toBe('bucket_start,count\r\n2026-03-29T00:00:00+01:00,3\r\n');
  });
});
