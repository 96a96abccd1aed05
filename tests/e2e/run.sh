#!/usr/bin/env bash
# End-to-end tests: run the real server binary and drive it over REST with the official
# Qdrant JS client (@qdrant/js-client-rest), checking responses against Qdrant's OpenAPI schema.
#
# Usage: tests/e2e/run.sh [test files...]      (default: every *.test.mjs here)
# Environment:
#   QUIVER_BIN        server binary (default <repo>/build/quiver)
#   QDRANT_OPENAPI    OpenAPI document (default <repo>/../shared/qdrant/openapi.json)
#   E2E_CONCURRENCY   test files run in parallel (default 2)
#   E2E_KEEP_DIRS=1   keep the servers' temp storage directories
set -euo pipefail
cd "$(dirname "$0")"

repo_root="$(cd ../.. && pwd)"
bin="${QUIVER_BIN:-$repo_root/build/quiver}"
if [[ ! -x "$bin" ]]; then
  echo "e2e: server binary not found at $bin (build it: cmake --build build --target quiver)" >&2
  exit 2
fi
openapi="${QDRANT_OPENAPI:-$repo_root/../shared/qdrant/openapi.json}"
if [[ ! -f "$openapi" ]]; then
  echo "e2e: OpenAPI document not found at $openapi (set QDRANT_OPENAPI)" >&2
  exit 2
fi

if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [[ $# -eq 0 ]]; then
  set -- *.test.mjs
fi
exec node --test --test-concurrency="${E2E_CONCURRENCY:-2}" --test-timeout=120000 "$@"
