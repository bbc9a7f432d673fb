#!/usr/bin/env bash
# scripts/soak.sh — the bounded soak (not part of ./scripts/test.sh).
#
#   ./scripts/soak.sh [duration]     default 60s
#
# Starts the test servers with scripts/services.sh (stopped on exit),
# then drives the chi demo app behind the demo's own server with 64
# connections for the duration on each store: every response must be 2xx,
# the visit counters (Session.Incr) must equal the visits answered, and
# goroutines and resident memory must be as flat in the last 10 s as in
# the first 10 s. The figures are printed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=/usr/local/go/bin:$PATH
fi
DURATION=${1:-60s}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sessionkit-soak.XXXXXX")
chmod 0711 "$STATE"
trap '"$ROOT/scripts/services.sh" stop "$STATE/services" >/dev/null 2>&1 || true; rm -rf -- "$STATE"' EXIT
export SESSIONKIT_STATE=$STATE/services
"$ROOT/scripts/services.sh" start >/dev/null
. "$SESSIONKIT_STATE/env"
# -count=1: a soak is never a cached result. The race detector stays off:
# it would measure itself.
SESSIONKIT_SOAK=$DURATION go test -count=1 -run '^TestSoak$' -v -timeout 30m ./examples/chi/ 2>&1 |
	grep -E '^(=== RUN|--- |    |ok|FAIL|PASS)'
