#!/usr/bin/env bash
# npm start: install what is missing, bring up the infrastructure, run every service with a demo.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "start: installing npm packages"
  npm ci --no-audit --no-fund
fi
bash scripts/infra.sh
echo "start: building the operator web app"
npm run build:ui --silent
exec node --import tsx scripts/start.ts
