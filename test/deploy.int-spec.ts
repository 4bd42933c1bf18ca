import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..');
const k8sDir = path.join(root, 'k8s');
const baseDir = path.join(k8sDir, 'base');
const composeFile = path.join(root, 'docker-compose.yml');

type Labels = Record<string, string>;
type Container = {
  name: string;
  readinessProbe?: object;
  livenessProbe?: object;
  resources?: { requests?: Labels; limits?: Labels };
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  env?: { name: string }[];
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
};
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: {
    selector?: Labels | { matchLabels?: Labels };
    template?: {
      metadata?: { labels?: Labels };
      spec: { securityContext?: Container['securityContext']; containers: Container[] };
    };
    scaleTargetRef?: { kind: string; name: string };
    metrics?: { type: string; resource?: { name: string } }[];
  };
};
type Kustomization = { resources?: string[]; patches?: { path?: string }[] };
type ComposeService = {
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  build?: { dockerfile?: string; target?: string };
  depends_on?: Record<string, { condition?: string }>;
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

function parseDocuments(text: string, source: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

const kustomizationDirs = yamlFiles(k8sDir)
  .filter((file) => path.basename(file) === 'kustomization.yaml')
  .map((file) => path.dirname(file));

const readKustomization = (dir: string): Kustomization =>
  parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** The manifests a kustomization lists under `resources`, following nested kustomizations. */
function resourcesOf(dir: string): Manifest[] {
  return (readKustomization(dir).resources ?? []).flatMap((entry) => {
    const target = path.join(dir, entry);
    return statSync(target).isDirectory() ? resourcesOf(target) : parseDocuments(readFileSync(target, 'utf8'), target);
  });
}

const selects = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** What keeps each Deployment from being production-ready, as readable lines. */
function deploymentProblems(manifests: Manifest[]): string[] {
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const problems: string[] = [];
  for (const deployment of ofKind('Deployment')) {
    const name = deployment.metadata.name;
    const pod = deployment.spec?.template;
    if (!pod) {
      problems.push(`${name}: no pod template`);
      continue;
    }
    const labels = pod.metadata?.labels;
    for (const container of pod.spec.containers) {
      const where = `${name}/${container.name}`;
      if (!container.readinessProbe) problems.push(`${where}: no readinessProbe`);
      if (!container.livenessProbe) problems.push(`${where}: no livenessProbe`);
      for (const bound of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!container.resources?.[bound]?.[resource]) problems.push(`${where}: no resources.${bound}.${resource}`);
        }
      }
      const security = { ...pod.spec.securityContext, ...container.securityContext };
      if (security.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      // The image's USER is a name (node): the kubelet can only verify non-root with a numeric uid.
      if (!(typeof security.runAsUser === 'number' && security.runAsUser > 0)) {
        problems.push(`${where}: no non-zero runAsUser`);
      }
    }
    if (!ofKind('Service').some((s) => selects(s.spec?.selector as Labels | undefined, labels))) {
      problems.push(`${name}: no Service selects its pods`);
    }
    const hpa = ofKind('HorizontalPodAutoscaler').find(
      (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
    );
    if (!hpa) problems.push(`${name}: no HorizontalPodAutoscaler targets it`);
    else if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`${name}: its HPA is not autoscaling/v2`);
    else if (!hpa.spec?.metrics?.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
      problems.push(`${name}: its HPA does not scale on CPU`);
    }
    const pdbSelects = (p: Manifest) => selects((p.spec?.selector as { matchLabels?: Labels } | undefined)?.matchLabels, labels);
    if (!ofKind('PodDisruptionBudget').some(pdbSelects)) problems.push(`${name}: no PodDisruptionBudget covers its pods`);
  }
  return problems;
}

/** Services that keep files (D15): they must all see the one store the gateway serves files from. */
const keepsFiles = (service: string): boolean => {
  const main = path.join(root, 'services', service, 'src', 'service.ts');
  return existsSync(main) && readFileSync(main, 'utf8').includes('createBlobStore(');
};

const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const composeServices = Object.entries(compose.services);
const builtServices = composeServices.filter(([, service]) => service.build?.target);

describe('k8s manifests', () => {
  test('every YAML document under k8s/ parses', () => {
    for (const file of yamlFiles(k8sDir)) {
      expect(() => parseDocuments(readFileSync(file, 'utf8'), file)).not.toThrow();
    }
  });

  test('every path listed in a kustomization under resources or patches exists', () => {
    expect(kustomizationDirs.map((dir) => path.relative(k8sDir, dir)).sort()).toEqual(['base', 'overlays/production']);
    const missing = kustomizationDirs.flatMap((dir) => {
      const { resources = [], patches = [] } = readKustomization(dir);
      const paths = [...resources, ...patches.flatMap((p) => (p.path ? [p.path] : []))];
      return paths.map((p) => path.join(dir, p)).filter((p) => !existsSync(p));
    });
    expect(missing).toEqual([]);
  });

  test('k8s/base has a Deployment for every service docker-compose.yml builds', () => {
    const deployments = resourcesOf(baseDir).filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name);
    expect(builtServices.length).toBeGreaterThan(0);
    expect(deployments).toEqual(expect.arrayContaining(builtServices.map(([name]) => name)));
  });

  test('every Deployment whose service keeps files is given the S3 keys, as the gateway is', () => {
    const deployments = resourcesOf(baseDir).filter((m) => m.kind === 'Deployment' && keepsFiles(m.metadata.name));
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['gateway', 'ingestion', 'notification']);
    const without = deployments.filter((d) => !d.spec?.template?.spec.containers.every((c) => ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].every((key) => c.env?.some((e) => e.name === key))));
    expect(without.map((d) => d.metadata.name)).toEqual([]);
  });

  test('the services that answer HTTP traffic wait in preStop until they are out of their Service, so a rollout refuses no request', () => {
    const serving = resourcesOf(baseDir).filter((m) => m.kind === 'Deployment' && ['gateway', 'ingestion', 'conversation'].includes(m.metadata.name));
    const without = serving.filter((d) => !d.spec?.template?.spec.containers.every((c) => c.lifecycle?.preStop?.exec?.command?.[0] === 'sleep'));
    expect({ serving: serving.length, without: without.map((d) => d.metadata.name) }).toEqual({ serving: 3, without: [] });
  });

  test('every Deployment in k8s/base has probes, resources, a non-root user, a Service, a CPU HPA and a PDB', () => {
    expect(deploymentProblems(resourcesOf(baseDir))).toEqual([]);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  if (!kubectl) console.log('skipped: no kubectl to run kustomize with');
  (kubectl ? test : test.skip)('`kubectl kustomize` builds every kustomization and its output passes the same checks', () => {
    for (const dir of kustomizationDirs) {
      const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      expect({ dir, status: built.status, stderr: built.stderr }).toMatchObject({ dir, status: 0 });
      expect(deploymentProblems(parseDocuments(built.stdout, dir))).toEqual([]);
    }
  });
});

describe('docker-compose.yml', () => {
  const client = [['docker', 'compose'], ['docker-compose']].find(
    ([command = '', ...args]) => spawnSync(command, [...args, 'version'], { stdio: 'ignore' }).status === 0,
  );
  if (!client) console.log('skipped: no compose client');
  (client ? test : test.skip)('`compose config -q` accepts it', () => {
    const [command = '', ...args] = client ?? [];
    const secrets = { INTERNAL_SECRET: 'a'.repeat(64), JWT_SECRET: 'b'.repeat(64), MEILI_MASTER_KEY: 'c'.repeat(64) };
    const result = spawnSync(command, [...args, '-f', composeFile, 'config', '-q'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...secrets } });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
  });

  (client ? test : test.skip)('refuses to run without the secrets that have no defaults, naming the first missing', () => {
    const [command = '', ...args] = client ?? [];
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['INTERNAL_SECRET', 'JWT_SECRET', 'MEILI_MASTER_KEY'].includes(name)));
    const result = spawnSync(command, [...args, '-f', composeFile, 'config', '-q'], { cwd: root, encoding: 'utf8', env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/set (INTERNAL_SECRET|JWT_SECRET|MEILI_MASTER_KEY) \(openssl rand -hex 32\)/);
  });

  test('every service that keeps files uses the store the gateway serves them from, and waits for it', () => {
    const storeOf = (s: ComposeService) => [s.environment?.['S3_ENDPOINT'], s.environment?.['S3_BUCKET']];
    const gateway = storeOf(compose.services['gateway']!);
    expect(gateway[1]).toEqual(expect.any(String));
    const apart = builtServices.filter(([name, s]) => keepsFiles(name) && (JSON.stringify(storeOf(s)) !== JSON.stringify(gateway) || !s.depends_on?.['minio']));
    expect(apart.map(([name]) => name)).toEqual([]);
  });

  test('every service has a healthcheck', () => {
    const without = composeServices
      .filter(([, s]) => !s.healthcheck?.test || s.healthcheck.disable === true || s.healthcheck.test[0] === 'NONE')
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  test('every depends_on names a service of the file and waits for it to be healthy', () => {
    const wrong = composeServices.flatMap(([name, s]) =>
      Object.entries(s.depends_on ?? {})
        .filter(([dependency, { condition }]) => !compose.services[dependency] || condition !== 'service_healthy')
        .map(([dependency]) => `${name} -> ${dependency}`),
    );
    expect(wrong).toEqual([]);
  });

  test('every build target is a `FROM … AS <target>` stage of its Dockerfile', () => {
    for (const [name, { build }] of builtServices) {
      const dockerfile = path.join(root, build?.dockerfile ?? 'Dockerfile');
      const stages = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$/gim)].map((m) => m[1]);
      expect({ name, target: build?.target, found: stages.includes(build?.target) }).toEqual({ name, target: build?.target, found: true });
    }
  });
});

describe('deploy/Dockerfile', () => {
  test('the gateway image carries the operator web app where UI_DIR points', () => {
    const dockerfile = readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');
    const gateway = /^FROM\s+\S+\s+AS\s+gateway\s*$([\s\S]*?)(?=^FROM\s|(?![\s\S]))/im.exec(dockerfile)?.[1] ?? '';
    const uiDir = /^ENV\s.*\bUI_DIR=(\S+)/m.exec(gateway)?.[1];
    expect(uiDir).toBeDefined();
    expect(gateway).toMatch(new RegExp(`^COPY --from=build /app/services/operator-ui/dist \\./${path.basename(uiDir!)}\\s*$`, 'm'));
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).toMatch(/"build": "[^"]*npm run build:ui/);
  });
});
