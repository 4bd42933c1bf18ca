import { gatewayRoutes, openApiDocument } from '@relaydesk/contracts';
import { createHttpApp, finishHttpApp, type Dependency, type Logger } from '@relaydesk/service-kit';
import type { Express, Router } from 'express';
import type { AccessTokens } from '../auth/access-tokens';
import type { LoginLimiter } from '../auth/login-limiter';
import type { Passwords } from '../auth/passwords';
import type { GatewayConfig } from '../config';
import { CachedNames, type Directory } from '../store/directory';
import type { GroupRepository } from '../store/group.repository';
import type { PendingUploads } from '../store/pending-uploads';
import type { PresenceStore } from '../store/presence';
import type { LiveState } from '@relaydesk/live';
import { counterRoutes } from './counters.routes';
import { streamRoutes } from './stream';
import type { OperatorRepository } from '../store/operator.repository';
import type { BlobStore } from '@relaydesk/blob-store';
import { attachmentRoutes } from './attachments.routes';
import { authRoutes } from './auth.routes';
import { authenticate } from './authenticate';
import { cannedResponseRoutes } from './canned-responses.routes';
import { channelRoutes } from './channels.routes';
import { clientRoutes } from './clients.routes';
import { featureRoutes } from './features.routes';
import { conversationRoutes } from './conversations.routes';
import { Names } from './names';
import { outgoingRoutes } from './outgoing.routes';
import { operatorUi } from './operator-ui';
import { searchRoutes } from './search.routes';
import { analyticsRoutes } from './analytics.routes';
import { tagRoutes } from './tags.routes';
import { transcriptRoutes } from './transcripts.routes';
import type { ServiceClient } from './service-client';
import { groupRoutes } from './groups.routes';
import { operatorRoutes } from './operators.routes';

export type GatewayDeps = {
  config: GatewayConfig;
  logger: Logger;
  /** What GET /ready checks. */
  dependencies: Dependency[];
  operators: OperatorRepository;
  groups: GroupRepository;
  directory: Directory;
  passwords: Passwords;
  tokens: AccessTokens;
  limiter: LoginLimiter;
  conversation: ServiceClient;
  ingestion: ServiceClient;
  /** Not in `dependencies`: the gateway serves everything else while search is away (503 for search). */
  search: ServiceClient;
  /** Like search: only analytics answers 503 while it is away. */
  analytics: ServiceClient;
  /** Where uploaded attachments live (D15). */
  blobs: BlobStore;
  pendingUploads: PendingUploads;
  live: LiveState;
  presence: PresenceStore;
};

export function buildGatewayApp(deps: GatewayDeps): Express {
  const app = createHttpApp({ logger: deps.logger, dependencies: deps.dependencies, readyReasons: false });
  app.set('trust proxy', deps.config.TRUST_PROXY);
  const requireCaller = authenticate(deps);
  const names = new Names(new CachedNames(deps.directory));

  // The public API under /api/v1: mount further routers here.
  const routers: Router[] = [
    authRoutes(deps, requireCaller),
    operatorRoutes(deps, requireCaller),
    groupRoutes(deps, requireCaller),
    channelRoutes(deps, requireCaller),
    counterRoutes(deps, requireCaller),
    conversationRoutes(deps, requireCaller, names),
    attachmentRoutes({ ...deps, secret: deps.config.INTERNAL_SECRET }, requireCaller),
    clientRoutes(deps, requireCaller),
    featureRoutes(deps, requireCaller),
    outgoingRoutes(deps, requireCaller, names),
    cannedResponseRoutes(deps, requireCaller),
    searchRoutes(deps, requireCaller, names),
    tagRoutes(deps, requireCaller),
    transcriptRoutes(deps, requireCaller),
    analyticsRoutes(deps, requireCaller),
    streamRoutes(),
  ];
  const openApi = openApiDocument('Relaydesk gateway', gatewayRoutes);
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api/v1', ...routers);
  app.use(operatorUi(deps.config.UI_DIR));

  return finishHttpApp(app, deps.logger);
}
