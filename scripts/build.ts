import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(__dirname, '..');
const servicesDir = path.join(root, 'services');

const entryOf = (service: string): string => path.join(servicesDir, service, 'src', 'main.ts');

function allServices(): string[] {
  if (!existsSync(servicesDir)) return [];
  return readdirSync(servicesDir)
    .filter((name) => existsSync(entryOf(name)))
    .sort();
}

// `packages: 'external'` would leave our workspace libs as require() calls into node_modules,
// where they are symlinks to TypeScript sources: resolve them as relative paths so they are bundled.
const bundleWorkspaceLibs: Plugin = {
  name: 'bundle-workspace-libs',
  setup(b) {
    b.onResolve({ filter: /^@relaydesk\/[^/]+/ }, async ({ path: request, kind }) => {
      const [scope = '', name = '', ...subpath] = request.split('/');
      const result = await b.resolve(['.', ...subpath].join('/'), {
        kind,
        resolveDir: path.join(root, 'node_modules', scope, name),
      });
      return result.errors.length > 0 ? { errors: result.errors } : { path: result.path };
    });
  },
};

async function buildService(service: string): Promise<void> {
  const outdir = path.join(root, 'dist', service);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: [entryOf(service)],
    outfile: path.join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // TypeORM takes a migration's timestamp from its class name, so bundling must not rename classes.
    keepNames: true,
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    plugins: [bundleWorkspaceLibs],
    logLevel: 'warning',
  });
  // Files a service serves as they are (the webchat widget) go beside the bundle, where it looks for them.
  const assets = path.join(servicesDir, service, 'static');
  if (existsSync(assets)) cpSync(assets, path.join(outdir, 'static'), { recursive: true });
  console.log(`built dist/${service}/main.js`);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const services = requested.length > 0 ? requested : allServices();
  const unknown = services.filter((service) => !existsSync(entryOf(service)));
  if (unknown.length > 0) {
    throw new Error(`No services/<name>/src/main.ts for: ${unknown.join(', ')}`);
  }
  if (services.length === 0) {
    console.log('No services to build (none has src/main.ts)');
    return;
  }
  await Promise.all(services.map(buildService));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
