#!/usr/bin/env bash
# Runs every sessionkit benchmark beside the peers and writes
# benchmarks/RESULTS.md (raw output in benchmarks/results/). See README.md.
#
# Knobs (environment): ROUNDS (go test rounds, default 6), BENCHTIME
# (-benchtime per benchmark and round, default 0.2s), E2E_ROUNDS (default 5),
# E2E_DURATION (wrk time per target and round, default 3s), CONTENTION_ROUNDS
# (rounds of the 32-writer contention scenario, default 5), PROFILE=1 (also
# write CPU and allocation profiles of sessionkit's gin targets to
# results/profiles/), SESSIONKIT_REDIS_URL (use that Redis instead of
# starting one), SESSIONKIT_POSTGRES_DSN (use that PostgreSQL instead of
# starting one with scripts/services.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
ROUNDS="${ROUNDS:-6}"
BENCHTIME="${BENCHTIME:-0.2s}"
E2E_ROUNDS="${E2E_ROUNDS:-5}"
E2E_DURATION="${E2E_DURATION:-3s}"
CONTENTION_ROUNDS="${CONTENTION_ROUNDS:-5}"
PROFILE="${PROFILE:-0}"
BENCHSTAT_VERSION="v0.0.0-20260908200009-22c9c6c9d4da"
# This module's go.mod pins the peers' versions; the workspace could move them.
export GOWORK=off

start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work="$(mktemp -d)"
redis_pids=()
started_pid=""
started_port=""

services_state=""
cleanup() {
	local pid
	if [[ -n "$services_state" ]]; then
		SESSIONKIT_STATE="$services_state" ../scripts/services.sh stop >/dev/null 2>&1 || true
	fi
	for pid in "${redis_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

log() { printf '[%4ds] %s\n' "$(($(date +%s) - start))" "$*" >&2; }

# start_redis_server starts a throwaway redis-server on a free loopback
# port, with any extra arguments, and sets started_pid and started_port.
# It checks that the server answering is the one it started (by PID), not
# someone else's on the same port.
start_redis_server() {
	local name="$1"
	shift
	command -v redis-server >/dev/null || { log "redis-server not found: apt-get install redis-server"; return 1; }
	for _ in $(seq 1 20); do
		local port=$((20000 + RANDOM % 30000))
		mkdir -p "$work/$name"
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/$name" "$@" \
			>"$work/$name.log" 2>&1 &
		local pid=$!
		for _ in $(seq 1 50); do
			if ! kill -0 "$pid" 2>/dev/null; then break; fi
			if redis-cli -p "$port" info server 2>/dev/null | grep -q "^process_id:$pid"; then
				started_pid=$pid
				started_port=$port
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	return 1
}

if [[ -z "${SESSIONKIT_REDIS_URL:-}" ]]; then
	start_redis_server redis || { log "could not start redis-server"; exit 1; }
	redis_pids+=("$started_pid")
	export SESSIONKIT_REDIS_URL="redis://127.0.0.1:$started_port/0"
	log "started redis-server (PID $started_pid) at $SESSIONKIT_REDIS_URL"
else
	log "using Redis at $SESSIONKIT_REDIS_URL"
fi

# A private primary with one replica, for the Redis WAIT rows of
# BenchmarkFeatures (the shared servers have no replica).
start_wait_pair() {
	start_redis_server wait-primary || return 1
	redis_pids+=("$started_pid")
	local primary=$started_port
	start_redis_server wait-replica --replicaof 127.0.0.1 "$primary" || return 1
	redis_pids+=("$started_pid")
	local replica=$started_port
	for _ in $(seq 1 100); do
		if redis-cli -p "$replica" info replication 2>/dev/null | grep -q '^master_link_status:up'; then
			export SESSIONKIT_BENCH_WAIT_URL="redis://127.0.0.1:$primary/0"
			return 0
		fi
		sleep 0.1
	done
	return 1
}
if start_wait_pair; then
	log "started a Redis primary and replica for WAIT at $SESSIONKIT_BENCH_WAIT_URL"
else
	log "could not start a Redis replica pair: no WAIT rows"
fi
# PostgreSQL: the one given, or a throwaway one started by the test
# command's scripts/services.sh (which starts its other servers too; only
# the PostgreSQL DSN is taken from it).
if [[ -z "${SESSIONKIT_POSTGRES_DSN:-}" ]] && [[ -x ../scripts/services.sh ]]; then
	pg_state="$work/services"
	# Stopped on exit whatever start reports (a failed server leaves the
	# others running).
	services_state="$pg_state"
	SESSIONKIT_STATE="$pg_state" ../scripts/services.sh start >"$work/services.log" 2>&1 || true
	dsn="$(sed -n "s/^export SESSIONKIT_POSTGRES_DSN='\(.*\)'$/\1/p" "$pg_state/env" 2>/dev/null || true)"
	if [[ -n "$dsn" ]]; then
		export SESSIONKIT_POSTGRES_DSN="$dsn"
		log "started PostgreSQL with scripts/services.sh"
	else
		log "could not start PostgreSQL (see below): no PostgreSQL targets"
		tail -5 "$work/services.log" >&2 || true
	fi
fi
if [[ -n "${SESSIONKIT_POSTGRES_DSN:-}" ]]; then
	log "PostgreSQL targets on"
else
	log "SESSIONKIT_POSTGRES_DSN is not set: no PostgreSQL targets"
fi
command -v wrk >/dev/null || { log "wrk not found: apt-get install wrk"; exit 1; }

log "building"
go test -c -o "$work/bench.test" .
go build -o "$work/e2e" ./cmd/e2e
go build -o "$work/contention" ./cmd/contention
go build -o "$work/report" ./cmd/report
if GOBIN="$work" go install "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION" 2>"$work/benchstat.log"; then
	have_benchstat=1
else
	log "benchstat unavailable (see below); RESULTS.md goes without its appendix"
	cat "$work/benchstat.log" >&2
	have_benchstat=0
fi

mkdir -p results
: >results/bench.txt
# Whole rounds, one after the other, so every benchmark of a ratio ran in
# the same round, close in time to its partner.
for i in $(seq 1 "$ROUNDS"); do
	log "round $i/$ROUNDS"
	"$work/bench.test" -test.run '^$' -test.bench '^Benchmark(Session|Paired|Floor|FloorStores|Features|Store|Dumps|Stream)$' \
		-test.benchtime "$BENCHTIME" -test.count 1 -test.timeout 20m >>results/bench.txt
done

log "round trips"
"$work/bench.test" -test.run '^$' -test.bench '^BenchmarkRoundTrips$' -test.benchtime 300x \
	-test.timeout 10m >results/roundtrips.txt

log "contention ($CONTENTION_ROUNDS rounds)"
"$work/contention" -rounds "$CONTENTION_ROUNDS" >results/contention.txt

log "end to end (wrk)"
"$work/e2e" -rounds "$E2E_ROUNDS" -duration "$E2E_DURATION" >results/e2e.txt

if [[ "$PROFILE" == 1 ]]; then
	mkdir -p results/profiles
	for sc in A B C; do
		for store in memory cookie redis gorm; do
			log "profile $sc gin/sessionkit-$store"
			p="results/profiles/$sc-gin-$store"
			pat="^BenchmarkSession\$/^$sc\$/^gin\$/^sessionkit-$store\$"
			# Separate runs: recording allocation stacks would show up in the CPU profile.
			"$work/bench.test" -test.run '^$' -test.bench "$pat" -test.benchtime 2s \
				-test.cpuprofile "$work/cpu.out" >/dev/null
			"$work/bench.test" -test.run '^$' -test.bench "$pat" -test.benchtime 1s \
				-test.memprofile "$work/mem.out" -test.memprofilerate 512 >/dev/null
			go tool pprof -top -cum -nodecount=60 "$work/bench.test" "$work/cpu.out" >"$p.cpu.txt" 2>/dev/null
			go tool pprof -top -sample_index=alloc_objects -nodecount=40 "$work/bench.test" "$work/mem.out" \
				>"$p.allocs.txt" 2>/dev/null
		done
	done
fi

if [[ "$have_benchstat" == 1 ]]; then
	"$work/benchstat" results/bench.txt >results/benchstat.txt 2>&1 || true
fi

elapsed=$(($(date +%s) - start))
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command: ./benchmarks/run.sh (ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME E2E_ROUNDS=$E2E_ROUNDS E2E_DURATION=$E2E_DURATION CONTENTION_ROUNDS=$CONTENTION_ROUNDS)"
	echo "nproc: $(nproc)"
	echo "CPU model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "Go: $(go version | cut -d' ' -f3-)"
	echo "load average (1, 5, 15 min) at start: $load_start"
	echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "run time: $((elapsed / 60))m$((elapsed % 60))s (before writing this report)"
	go list -m -f '{{.Path}}: {{.Version}}' \
		github.com/gin-gonic/gin github.com/labstack/echo/v4 github.com/go-chi/chi/v5 \
		github.com/redis/go-redis/v9 gorm.io/gorm github.com/glebarez/sqlite \
		github.com/gin-contrib/sessions github.com/alexedwards/scs/v2 github.com/alexedwards/scs/goredisstore \
		github.com/gorilla/sessions github.com/gorilla/securecookie github.com/labstack/echo-contrib \
		github.com/boj/redistore github.com/gomodule/redigo
	echo "Redis: $(redis-cli -u "$SESSIONKIT_REDIS_URL" info server | grep -m1 '^redis_version' | tr -d '\r')"
	echo "wrk: $(wrk -v 2>&1 | head -1)"
	# Only whether they are set: a DSN can hold a password.
	if [[ -n "${SESSIONKIT_BENCH_WAIT_URL:-}" ]]; then
		echo "Redis WAIT: a private primary with one replica"
	else
		echo "Redis WAIT: no replica could be started"
	fi
	if [[ -n "${SESSIONKIT_POSTGRES_DSN:-}" ]]; then
		echo "PostgreSQL: on (SESSIONKIT_POSTGRES_DSN is set)"
	else
		echo "PostgreSQL: off (SESSIONKIT_POSTGRES_DSN is not set)"
	fi
} >results/env.txt

args=(-bench results/bench.txt -bench results/roundtrips.txt -bench results/contention.txt -bench results/e2e.txt
	-env results/env.txt -o RESULTS.md)
"$work/report" "${args[@]}"
log "wrote $here/RESULTS.md in $((elapsed / 60))m$((elapsed % 60))s"
