import { gatewayRoutes } from '@relaydesk/contracts';
import { createLogger } from '@relaydesk/service-kit';
import { buildGatewayApp, type GatewayDeps } from '../src/http/app';

type Layer = { rawPath?: string; route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] } };

/** Every route the gateway mounts under /api/v1, as `METHOD /api/v1/path/{param}`. */
function mountedRoutes(): string[] {
  const deps = { config: { TRUST_PROXY: false, UI_DIR: 'services/operator-ui/dist' }, logger: createLogger('openapi-test', 'silent'), dependencies: [] } as unknown as GatewayDeps;
  const app = buildGatewayApp(deps) as unknown as { router: { stack: Layer[] } };
  const found: string[] = [];
  for (const layer of app.router.stack) {
    if (layer.rawPath !== '/api/v1') continue; // the web app at / is not the API
    for (const inner of layer.handle.stack ?? []) {
      if (!inner.route) continue;
      const path = `/api/v1${inner.route.path}`.replace(/:(\w+)/g, '{$1}');
      for (const method of Object.keys(inner.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return found.sort();
}

describe('the OpenAPI document', () => {
  it('documents every route the gateway serves under /api/v1, and nothing it does not serve', () => {
    const documented = gatewayRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(documented).toEqual(mountedRoutes());
  });
});
