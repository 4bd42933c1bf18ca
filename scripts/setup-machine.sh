#!/usr/bin/env bash
# Installs the Debian packages the project's scripts and tests need. Safe to run again:
# it installs only what is missing and runs `apt-get update` only then.
set -euo pipefail

packages=(
  docker-compose # `docker-compose config` validates docker-compose.yml in test/deploy.int-spec.ts
  chromium       # the operator web app's end-to-end tests drive it with playwright-core (test/ui)
  fonts-noto-color-emoji # so the screenshots those tests save show emoji (D20) rather than empty boxes
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-machine: all packages present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

echo "setup-machine: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
# No recommends: docker-compose would pull in the whole docker.io engine.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
