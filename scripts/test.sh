#!/usr/bin/env bash
# npm test: type check, lint (with the Nx module boundaries) and every test against real infrastructure.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true

[ -d node_modules ] || npm ci
bash scripts/setup-machine.sh
bash scripts/infra.sh

echo "== type check"
npx tsc -p tsconfig.json --noEmit
npx tsc -p services/operator-ui/tsconfig.json
echo "== operator web app: build and component tests"
npm run build:ui
npx vitest run --root services/operator-ui
echo "== lint"
# The module-boundary rule skips itself unless a project graph is cached: compute one first.
npx nx show projects >/dev/null
npx eslint . --max-warnings 0
echo "== tests (unit, then integration against PostgreSQL, RabbitMQ and Redis)"
results=$(mktemp)
status=0
# In band: some integration tests restart the broker, which must not hit a neighbour suite.
npx jest --runInBand --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  // Suites that skip themselves for want of a server (Meilisearch, S3) say so by their title.
  const skipped = new Set(r.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status === "pending").map((t) => t.ancestorTitles[0])));
  for (const title of skipped) console.log(`skipped: ${title}`);
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results"
rm -f "$results"
exit $status
