import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(__dirname, '..');
const probes = {
  serviceImportsService: ['services/routing/src/boundary-probe.ts', "export { conversationConfig } from '../../conversation/src/config';\n"],
  contractsImportsBus: ['libs/contracts/src/boundary-probe.ts', "export { Bus } from '@relaydesk/bus';\n"],
  runtimeImportsTesting: ['libs/bus/src/boundary-probe.ts', "export { waitFor } from '@relaydesk/testing';\n"],
  serviceImportsLib: ['services/routing/src/boundary-probe-ok.ts', "export { makeEnvelope } from '@relaydesk/bus';\n"],
} as const;

/** The import arrows of ARCHITECTURE.md, enforced by the Nx module-boundary lint rule. */
describe('module boundaries', () => {
  let results: Record<keyof typeof probes, string[]>;

  beforeAll(() => {
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
    for (const [file, code] of Object.values(probes)) writeFileSync(join(root, file), code);
    try {
      // ESLint loads its flat config as an ES module, which Jest's sandbox cannot: run the CLI.
      // Without a cached project graph the rule skips itself; `nx show projects` computes and caches one.
      spawnSync(process.execPath, [join(root, 'node_modules/nx/bin/nx.js'), 'show', 'projects'], { cwd: root, env });
      // The report goes to a file: Nx may print warnings on stdout while it builds the project graph.
      const report = join(mkdtempSync(join(tmpdir(), 'boundaries-')), 'report.json');
      const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--output-file', report, ...Object.values(probes).map(([file]) => file)], { cwd: root, encoding: 'utf8', env });
      if (!existsSync(report)) throw new Error(`eslint wrote no report: ${run.stdout}${run.stderr}`);
      const linted = JSON.parse(readFileSync(report, 'utf8')) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
      results = Object.fromEntries(
        Object.entries(probes).map(([name, [file]]) => [
          name,
          linted.find((r) => r.filePath === join(root, file))!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message),
        ]),
      ) as typeof results;
    } finally {
      for (const [file] of Object.values(probes)) rmSync(join(root, file), { force: true });
    }
  }, 120_000);

  it('a service may not import another service', () => {
    expect(results.serviceImportsService).not.toEqual([]);
  });

  it('libs/contracts imports nothing of ours', () => {
    expect(results.contractsImportsBus.join()).toMatch(/scope:contracts/);
  });

  it('runtime libraries may not import libs/testing', () => {
    expect(results.runtimeImportsTesting.join()).toMatch(/scope:testing/);
  });

  it('a service may import a library', () => {
    expect(results.serviceImportsLib).toEqual([]);
  });
});
