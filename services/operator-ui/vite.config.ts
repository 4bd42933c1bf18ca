import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev -w services/operator-ui` serves the app on :5173 against a gateway on :8080.
const gateway = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // The one zod-free module of the contracts the app shares with the server (D15's attachment rules).
  resolve: { alias: { '@relaydesk/contracts/attachment-rules': fileURLToPath(new URL('../../libs/contracts/src/attachment-rules.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': { target: gateway, ws: true } } },
  test: { environment: 'jsdom', include: ['src/**/*.test.{ts,tsx}'], setupFiles: ['src/test-setup.ts'] },
});
