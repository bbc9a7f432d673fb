#!/usr/bin/env bash
# scripts/test.sh — the single test command of sessionkit (CI runs exactly this).
#
#   ./scripts/test.sh                  everything: services, vet, test -race,
#                                      GOWORK=off build+vet, fuzz smoke, staticcheck
#   ./scripts/test.sh --quick          no fuzz smoke, no staticcheck
#   ./scripts/test.sh --no-services    do not start servers; use the SESSIONKIT_*
#                                      variables already exported (or skip)
#
# Servers come from scripts/services.sh (started here, stopped by PID on exit,
# even when tests fail or the run is interrupted). Modules come from go.work
# (`go work edit -json`), or, without a go.work, from the go.mod files found in
# the tree (tools/ is never one of them: it only pins the linter).
#
# SESSIONKIT_TEST_MODULES="core stores/redis" limits the run to those modules
# (for local use); SESSIONKIT_FUZZTIME (default 5s) sets the fuzz smoke's length.
#
# Every step runs even after a failure; the end prints a summary table and one
# last line `N passed, M failed` (N and M count steps); exit status 1 if M > 0.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=0
SERVICES=1
FUZZTIME=${SESSIONKIT_FUZZTIME:-5s}
TEST_TIMEOUT=15m

usage() {
	sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

for arg in "$@"; do
	case $arg in
	--quick) QUICK=1 ;;
	--no-services) SERVICES=0 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf 'test.sh: unknown argument %s\n' "$arg" >&2
		usage >&2
		exit 2
		;;
	esac
done

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=/usr/local/go/bin:$PATH
fi
command -v go >/dev/null 2>&1 || {
	printf 'test.sh: go not found\n' >&2
	exit 1
}

T_START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sessionkit-test.XXXXXX")
# the services' postgres user must be able to enter it
chmod 0711 "$WORK"

log() { printf '[%s] test.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ----------------------------------------------------------------- cleanup --

SERVICES_STARTED=0
cleanup() {
	local rc=$?
	if [ "$SERVICES_STARTED" = 1 ]; then
		SERVICES_STARTED=0
		"$ROOT/scripts/services.sh" stop "$WORK/services" || log "services.sh stop failed"
	fi
	rm -rf -- "$WORK"
	return "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ----------------------------------------------------------------- results --

PASSED=0
FAILED=0
declare -A RESULT=() # "module|column" -> ok | FAIL | skip
EXTRA=()             # "name<TAB>status" rows: services, fuzz targets, linter build

# step NAME CMD...: run CMD (output streams through), count it, return its status
step() {
	local name=$1 t0=$SECONDS rc=0
	shift
	printf '\n=== %s\n' "$name"
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		printf -- '--- ok   %s (%ds)\n' "$name" "$((SECONDS - t0))"
		return 0
	fi
	FAILED=$((FAILED + 1))
	printf -- '--- FAIL %s (exit %d, %ds)\n' "$name" "$rc" "$((SECONDS - t0))"
	return 1
}

# record KEY COLUMN CMD...: step whose outcome goes into the table
record() {
	local key=$1 col=$2
	shift 2
	if step "$key: $col" "$@"; then
		RESULT[$key|$col]=ok
	else
		RESULT[$key|$col]=FAIL
	fi
}

extra() { EXTRA+=("$1"$'\t'"$2"); }

# ----------------------------------------------------------------- modules --

MODULES=()           # module dirs relative to ROOT, e.g. core, stores/gorm
declare -A GOWORK_OF=() # module -> value for GOWORK when working in it

find_modules_on_disk() {
	find . \( -name .git -o -name testdata -o -name vendor -o -name node_modules -o -path ./tools -o -path ./.state \) -prune \
		-o -name go.mod -print | sed -e 's|^\./||' -e 's|/\{0,1\}go\.mod$||' -e 's|^$|.|' | LC_ALL=C sort
}

discover_modules() {
	local d listed=() on_disk=() missing=() wsmode
	declare -A in_ws=()
	mapfile -t on_disk < <(find_modules_on_disk)
	if [ -f "$ROOT/go.work" ]; then
		mapfile -t listed < <(GOWORK="$ROOT/go.work" go work edit -json |
			sed -n 's/.*"DiskPath": *"\([^"]*\)".*/\1/p' |
			sed -e "s|^$ROOT/||" -e 's|^\./||' -e 's|/$||' -e 's|^$|.|')
		for d in "${listed[@]}"; do
			in_ws[$d]=1
			[ -f "$ROOT/$d/go.mod" ] || missing+=("$d")
		done
		wsmode=$ROOT/go.work
		if [ "${#missing[@]}" -gt 0 ]; then
			log "WARNING: go.work lists module dirs without go.mod (skipped): ${missing[*]}"
			log "WARNING: the workspace cannot load like that; every module runs with GOWORK=off"
			wsmode=off
		fi
		for d in "${listed[@]}"; do
			if [ -f "$ROOT/$d/go.mod" ]; then
				MODULES+=("$d")
				GOWORK_OF[$d]=$wsmode
			else
				RESULT[$d|vet]=skip
			fi
		done
		for d in "${on_disk[@]}"; do
			if [ -z "${in_ws[$d]:-}" ]; then
				log "WARNING: $d/go.mod is not in go.work; testing it with GOWORK=off"
				MODULES+=("$d")
				GOWORK_OF[$d]=off
			fi
		done
	else
		log "no go.work: modules from the go.mod files in the tree (GOWORK=off)"
		for d in "${on_disk[@]}"; do
			MODULES+=("$d")
			GOWORK_OF[$d]=off
		done
	fi
}

# in_mod MODULE CMD...: run CMD inside the module dir in its GOWORK mode
in_mod() {
	local m=$1
	shift
	(cd "$ROOT/$m" && GOWORK=${GOWORK_OF[$m]} "$@")
}

# has_go_files MODULE: any .go file in the module (not counting testdata or
# nested modules); a module with only its go.mod yet is skipped, not failed
has_go_files() {
	local f d
	while IFS= read -r f; do
		d=$(dirname "$f")
		while [ "$d" != "$1" ] && [ "$d" != . ]; do
			[ -f "$d/go.mod" ] && continue 2
			d=$(dirname "$d")
		done
		return 0
	done < <(cd "$ROOT" && find "$1" -name testdata -prune -o -name '*.go' -print)
	return 1
}

# ws_loads: `go list -m` in workspace mode succeeds
ws_loads() { (cd "$ROOT" && GOWORK="$ROOT/go.work" go list -m >/dev/null); }

# alone MODULE: the module builds and vets on its own, without the workspace
alone() {
	(cd "$ROOT/$1" && GOWORK=off go build ./... && GOWORK=off go vet ./...)
}

# ---------------------------------------------------------------- services --

# the env it prints is sourced from the file below and shown by show_env
services_start() { "$ROOT/scripts/services.sh" start >/dev/null; }

start_services() {
	local rc=0
	export SESSIONKIT_STATE=$WORK/services
	SERVICES_STARTED=1
	if step "services: start" services_start; then
		extra services ok
	else
		extra services FAIL
		rc=1
	fi
	if [ -r "$SESSIONKIT_STATE/env" ]; then
		# shellcheck disable=SC1091
		. "$SESSIONKIT_STATE/env"
	fi
	return "$rc"
}

show_env() {
	local v
	for v in SESSIONKIT_REDIS_URL SESSIONKIT_REDIS_CLUSTER SESSIONKIT_POSTGRES_DSN SESSIONKIT_MYSQL_DSN SESSIONKIT_PYTHON SESSIONKIT_CHROMIUM; do
		if [ -n "${!v:-}" ]; then
			log "$v=${!v}"
		else
			log "$v is not set (tests needing it skip, or fail under CI)"
		fi
	done
}

# -------------------------------------------------------------------- fuzz --

# fuzz_targets: prints "module<TAB>package dir<TAB>FuzzName" for every fuzz
# target in the modules' _test.go files
fuzz_targets() {
	local m f name
	declare -A seen=()
	for m in "${MODULES[@]}"; do
		while IFS=: read -r f name; do
			[ -n "$f" ] || continue
			name=${name#func }
			name=${name%%(*}
			[ -z "${seen[$(dirname "$f")|$name]:-}" ] || continue
			seen[$(dirname "$f")|$name]=1
			printf '%s\t%s\t%s\n' "$m" "$(dirname "$f")" "$name"
		done < <(grep -rHoE --include='*_test.go' --exclude-dir=testdata --exclude-dir=vendor \
			'^func Fuzz[A-Za-z0-9_]*\(' "$m" 2>/dev/null | LC_ALL=C sort || true)
	done
}

# fuzz_corpus DIR NAME: the inputs saved under DIR/testdata/fuzz/NAME
fuzz_corpus() { find "$ROOT/$1/testdata/fuzz/$2" -type f 2>/dev/null | LC_ALL=C sort || true; }

# fuzz_one MODULE DIR NAME: one short fuzz run. Go <= 1.26 has a race in its
# fuzz coordinator (go.dev/issue/75804, fixed in Go 1.27): at the -fuzztime
# deadline a run can fail with a bare "context deadline exceeded" and no
# failing input written. Such a run is retried once; if it happens again it
# is reported as that flake and not counted as a failure. A run that writes a
# failing input to testdata/fuzz/NAME always fails.
fuzz_one() {
	local m=$1 dir=$2 name=$3 try before after rc out
	out=$WORK/fuzz.out
	for try in 1 2; do
		before=$(fuzz_corpus "$dir" "$name")
		rc=0
		(cd "$ROOT/$dir" && GOWORK=${GOWORK_OF[$m]} go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" .) 2>&1 |
			tee "$out" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		after=$(fuzz_corpus "$dir" "$name")
		if [ "$before" != "$after" ]; then
			log "fuzz $name wrote a failing input under $dir/testdata/fuzz/$name"
			return 1
		fi
		if ! grep -q '^    context deadline exceeded$' "$out"; then
			return 1
		fi
		log "fuzz $name: 'context deadline exceeded' without a failing input (go.dev/issue/75804), try $try"
	done
	log "fuzz $name: flaked twice on go.dev/issue/75804; not counted as a failure"
	return 0
}

# -------------------------------------------------------------- staticcheck --

STATICCHECK=""
build_staticcheck() {
	local t0 t1
	t0=$(date +%s.%N)
	mkdir -p "$WORK/bin"
	if (cd "$ROOT/tools" && GOWORK=off go build -o "$WORK/bin/staticcheck" honnef.co/go/tools/cmd/staticcheck); then
		t1=$(date +%s.%N)
		STATICCHECK=$WORK/bin/staticcheck
		log "staticcheck built in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s: $("$STATICCHECK" -version)"
		return 0
	fi
	return 1
}

# ==================================================================== main --

log "go: $(go version); root $ROOT; quick=$QUICK services=$SERVICES CI=${CI:-}"

if [ "$SERVICES" = 1 ]; then
	start_services || true
else
	log "--no-services: using the SESSIONKIT_* variables already exported"
fi
show_env

discover_modules
if [ -f "$ROOT/go.work" ]; then
	# the workspace itself must load (every listed module present and valid)
	if step "workspace: go.work loads" ws_loads; then
		extra "go.work" ok
	else
		extra "go.work" FAIL
	fi
fi
if [ -n "${SESSIONKIT_TEST_MODULES:-}" ]; then
	SELECTED=()
	for m in "${MODULES[@]}"; do
		case " $SESSIONKIT_TEST_MODULES " in *" $m "*) SELECTED+=("$m") ;; esac
	done
	log "SESSIONKIT_TEST_MODULES: only ${SELECTED[*]:-none}"
	MODULES=("${SELECTED[@]}")
fi
ALL_MODULES=("${MODULES[@]}")
MODULES=()
for m in "${ALL_MODULES[@]}"; do
	if has_go_files "$m"; then
		MODULES+=("$m")
	else
		log "WARNING: module $m has no .go files yet: skipped"
		for col in vet test alone lint; do RESULT["$m|$col"]=empty; done
	fi
done
if [ "${#MODULES[@]}" -eq 0 ]; then
	# a run that tests nothing must not pass
	log "no Go module with code found"
	FAILED=$((FAILED + 1))
	extra "modules (none with code found)" FAIL
fi
log "modules: ${MODULES[*]:-none}"

for m in "${MODULES[@]}"; do
	record "$m" vet in_mod "$m" go vet ./...
	record "$m" test in_mod "$m" go test -race -count=1 -timeout "$TEST_TIMEOUT" ./...
	record "$m" alone alone "$m"
done

if [ "$QUICK" = 0 ]; then
	mapfile -t FUZZ < <(fuzz_targets)
	log "fuzz targets: ${#FUZZ[@]} (fuzztime $FUZZTIME each)"
	for t in "${FUZZ[@]}"; do
		IFS=$'\t' read -r m dir name <<<"$t"
		if step "fuzz: $dir $name" fuzz_one "$m" "$dir" "$name"; then
			extra "fuzz $dir $name" ok
		else
			extra "fuzz $dir $name" FAIL
		fi
	done

	if step "staticcheck: build (tools/)" build_staticcheck; then
		extra "staticcheck build" ok
		for m in "${MODULES[@]}"; do
			record "$m" lint in_mod "$m" "$STATICCHECK" ./...
		done
	else
		extra "staticcheck build" FAIL
		for m in "${MODULES[@]}"; do RESULT[$m|lint]=FAIL; done
	fi
fi

# Stop the servers now, so that their logs come before the summary.
if [ "$SERVICES_STARTED" = 1 ]; then
	SERVICES_STARTED=0
	"$ROOT/scripts/services.sh" stop "$WORK/services" || log "services.sh stop failed"
fi

# ------------------------------------------------------------------ summary --

cell() { printf '%s' "${RESULT[$1|$2]:--}"; }

{
	printf '\n==================== summary (%ds) ====================\n' "$((SECONDS - T_START))"
	printf '%-22s %-5s %-5s %-6s %-5s\n' module vet test alone lint
	for m in "${ALL_MODULES[@]}"; do
		printf '%-22s %-5s %-5s %-6s %-5s\n' "$m" "$(cell "$m" vet)" "$(cell "$m" test)" "$(cell "$m" alone)" "$(cell "$m" lint)"
	done
	for k in "${!RESULT[@]}"; do
		if [ "${RESULT[$k]}" = skip ]; then
			printf '%-22s skipped (listed in go.work, no go.mod)\n' "${k%%|*}"
		fi
	done
	for row in "${EXTRA[@]}"; do
		printf '%-40s %s\n' "${row%%$'\t'*}" "${row#*$'\t'}"
	done
	if [ "$QUICK" = 1 ]; then
		printf '(--quick: no fuzz smoke, no staticcheck)\n'
	fi
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
}

[ "$FAILED" -eq 0 ]
