#!/usr/bin/env bash
# scripts/services.sh — throwaway test servers on 127.0.0.1 for sessionkit.
#
#   scripts/services.sh start   install what is missing (root only), start the
#                               servers, write $SESSIONKIT_STATE/env, print it
#   scripts/services.sh env     print $SESSIONKIT_STATE/env again
#   scripts/services.sh stop    stop exactly the PIDs that `start` started and
#                               remove the state dir (idempotent)
#
# Typical use from a shell:
#   eval "$(scripts/services.sh start)"    # exports SESSIONKIT_STATE too
#   ...go test ./...
#   scripts/services.sh stop
#
# Started (each in its own mktemp -d dir under the state dir, on free ports
# picked here, bound to 127.0.0.1 only):
#   redis        one standalone redis-server       -> SESSIONKIT_REDIS_URL
#   cluster      three redis-servers, 3 masters     -> SESSIONKIT_REDIS_CLUSTER
#   postgres     PostgreSQL 15, trust auth          -> SESSIONKIT_POSTGRES_DSN
#   mariadb      MariaDB, root without password     -> SESSIONKIT_MYSQL_DSN
# Detected only: SESSIONKIT_PYTHON (/usr/bin/python3 with Django),
#                SESSIONKIT_CHROMIUM (/usr/bin/chromium).
#
# Nothing is ever stopped by name: `stop` reads the PIDs this script recorded
# (and checks /proc/PID/comm before signalling), so the system services that
# Debian's packages may run on the default ports are left alone.
#
# Exit status of `start`: 0 if every server that could be started did start;
# 1 if one failed (its log is printed, the others keep running and their
# variables are still written). Missing packages without root are reported
# and the matching servers skipped (tests then skip locally, fail under CI).

set -euo pipefail

PACKAGES=(redis-server redis-tools postgresql-15 mariadb-server mariadb-client python3-django python3-django-redis python3-psycopg2 chromium wrk)
PG_VERSION=15
MARKER=.sessionkit-state
# Ports come from [PORT_LO, PORT_HI); Redis Cluster also needs port+10000 for
# its bus, and all of that stays below Linux's default ephemeral range (32768).
PORT_LO=15000
PORT_HI=22000

log() { printf '[%s] services: %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- packages --

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

ensure_packages() {
	local missing=() p
	if ! command -v dpkg-query >/dev/null 2>&1; then
		log "dpkg-query not found: not a Debian system, not installing anything"
		return 0
	fi
	for p in "${PACKAGES[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		log "packages: all present"
		return 0
	fi
	if ! is_root; then
		log "packages missing (not root, not installing; the servers that need them are skipped): ${missing[*]}"
		return 0
	fi
	log "packages missing: ${missing[*]}; apt-get update"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -q >&2 || log "apt-get update failed; trying the install anyway"
	log "apt-get install ${missing[*]}"
	if ! apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}" >&2; then
		log "apt-get install failed (continuing; servers whose binaries are missing will fail)"
		return 1
	fi
	log "packages installed"
}

# ------------------------------------------------------------------- ports --

USED_PORTS=" "

port_busy() {
	local p=$1
	if command -v ss >/dev/null 2>&1; then
		# any TCP socket in any state on that local port counts as busy
		if [ -n "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
			return 0
		fi
	fi
	# a listener answers a connect; a free port refuses it at once
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		return 0
	fi
	return 1
}

# pick_port [bus]: sets PORT to a free port (with "bus", port+10000 is free too).
# Not to be called in $(...): USED_PORTS must be kept in this shell.
PORT=""
pick_port() {
	local want_bus=${1:-} p i
	for ((i = 0; i < 500; i++)); do
		p=$((PORT_LO + (RANDOM * 32768 + RANDOM) % (PORT_HI - PORT_LO)))
		case $USED_PORTS in *" $p "*) continue ;; esac
		port_busy "$p" && continue
		if [ -n "$want_bus" ]; then
			case $USED_PORTS in *" $((p + 10000)) "*) continue ;; esac
			port_busy "$((p + 10000))" && continue
		fi
		USED_PORTS+="$p "
		[ -n "$want_bus" ] && USED_PORTS+="$((p + 10000)) "
		PORT=$p
		return 0
	done
	die "no free port found in [$PORT_LO, $PORT_HI)"
}

# ------------------------------------------------------------- processes --

# alive PID: true if the process exists and is not a zombie (PID 1 here may
# not reap orphans promptly, so a dead server can linger as a zombie).
alive() {
	local pid=$1 state
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] && [ "$state" != X ]
}

# comm_is PID NAME: the process's comm starts with NAME (comm is cut at 15 chars)
comm_is() {
	local comm
	comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
	case $comm in "$2"*) return 0 ;; esac
	return 1
}

# kill_pid PID NAME [SECONDS]: TERM, wait, then KILL. Only if comm matches NAME.
kill_pid() {
	local pid=$1 name=$2 secs=${3:-15} i
	alive "$pid" || return 0
	if ! comm_is "$pid" "$name"; then
		log "pid $pid is not $name any more ($(cat "/proc/$pid/comm" 2>/dev/null || echo gone)); leaving it alone"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	log "$name pid $pid did not stop after ${secs}s; SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	log "WARNING: $name pid $pid still alive"
	return 1
}

show_log() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf -- '----- %s (last 60 lines) -----\n' "$f" >&2
		tail -n 60 "$f" >&2
		printf -- '----- end of %s -----\n' "$f" >&2
	done
}

# ------------------------------------------------------------- state dir --

STATE=""
MANIFEST=""

open_state_for_start() {
	if [ -n "${SESSIONKIT_STATE:-}" ]; then
		STATE=$SESSIONKIT_STATE
		mkdir -p "$STATE"
		STATE=$(cd "$STATE" && pwd)
		if [ ! -e "$STATE/$MARKER" ] && [ -n "$(ls -A "$STATE")" ]; then
			die "SESSIONKIT_STATE=$STATE exists, is not empty and is not a sessionkit state dir; refusing to use it"
		fi
		if [ -e "$STATE/manifest" ] && [ -s "$STATE/manifest" ]; then
			die "SESSIONKIT_STATE=$STATE already has running services; run '$0 stop' first"
		fi
	else
		STATE=$(mktemp -d "${TMPDIR:-/tmp}/sessionkit-services.XXXXXX")
	fi
	: >"$STATE/$MARKER"
	# the postgres user must be able to reach its data dir inside
	chmod 0711 "$STATE"
	MANIFEST=$STATE/manifest
	: >"$MANIFEST"
	mkdir -p "$STATE/run"
}

open_state_for_stop() {
	STATE=${1:-${SESSIONKIT_STATE:-}}
	if [ -z "$STATE" ]; then
		log "SESSIONKIT_STATE is not set and no state dir given: nothing to stop"
		log "usage: SESSIONKIT_STATE=DIR $0 stop   (or: $0 stop DIR)"
		return 1
	fi
	MANIFEST=$STATE/manifest
}

# record KIND DIR [PID]: remember what to stop, before waiting for it to be ready
record() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$MANIFEST"; }

# ------------------------------------------------------------------ redis --

# redis_start DIR PORT [extra args...]; the caller records DIR first
redis_start() {
	local dir=$1 port=$2
	shift 2
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
		--dir "$dir" "$@" </dev/null >"$dir/stdout.log" 2>&1
}

redis_wait() {
	local dir=$1 port=$2 i
	for ((i = 0; i < 100; i++)); do
		if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
			return 0
		fi
		sleep 0.1
	done
	log "redis on port $port did not answer PING within 10s"
	show_log "$dir/stdout.log" "$dir/redis.log"
	return 1
}

have_redis() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }

# Each start_* runs in its own background subshell (see cmd_start); ports are
# picked beforehand by the parent so that the subshells cannot pick the same.
start_redis() {
	local port=$1 dir
	dir=$(mktemp -d "$STATE/redis.XXXXXX") || return 1
	record redis "$dir"
	log "redis: starting on 127.0.0.1:$port ($dir)"
	if ! redis_start "$dir" "$port" || ! redis_wait "$dir" "$port"; then
		show_log "$dir/stdout.log" "$dir/redis.log"
		return 1
	fi
	emit redis "SESSIONKIT_REDIS_URL=redis://127.0.0.1:$port/0"
	log "redis: ready on port $port"
}

start_cluster() {
	local ports=() addrs=() dirs=() dir port i ok
	for i in 1 2 3; do
		dir=$(mktemp -d "$STATE/cluster$i.XXXXXX") || return 1
		dirs+=("$dir")
		port=${!i}
		record redis "$dir"
		log "cluster: starting node $i on 127.0.0.1:$port (bus $((port + 10000))) ($dir)"
		if ! redis_start "$dir" "$port" --cluster-enabled yes --cluster-config-file nodes.conf \
			--cluster-node-timeout 5000; then
			show_log "$dir/stdout.log" "$dir/redis.log"
			return 1
		fi
		ports+=("$port")
		addrs+=("127.0.0.1:$port")
	done
	for i in 0 1 2; do
		redis_wait "${dirs[$i]}" "${ports[$i]}" || return 1
	done
	log "cluster: redis-cli --cluster create ${addrs[*]}"
	if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
		</dev/null >"$STATE/run/cluster-create.log" 2>&1; then
		log "cluster: create failed"
		show_log "$STATE/run/cluster-create.log"
		for dir in "${dirs[@]}"; do show_log "$dir/redis.log"; done
		return 1
	fi
	for ((i = 0; i < 150; i++)); do
		ok=0
		for port in "${ports[@]}"; do
			if redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then
				ok=$((ok + 1))
			fi
		done
		if [ "$ok" -eq 3 ]; then
			local joined
			joined=$(
				IFS=,
				printf '%s' "${addrs[*]}"
			)
			emit cluster "SESSIONKIT_REDIS_CLUSTER=$joined"
			log "cluster: cluster_state:ok on all three nodes"
			return 0
		fi
		sleep 0.1
	done
	log "cluster: cluster_state not ok after 15s"
	show_log "$STATE/run/cluster-create.log"
	for port in "${ports[@]}"; do redis-cli -h 127.0.0.1 -p "$port" cluster info >&2 || true; done
	return 1
}

# --------------------------------------------------------------- postgres --

PG_BIN=""

find_pg_bin() {
	local d
	if [ -x "/usr/lib/postgresql/$PG_VERSION/bin/initdb" ]; then
		PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
		return 0
	fi
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then
			PG_BIN=$d
		fi
	done
	[ -n "$PG_BIN" ] || return 1
	log "postgres: PostgreSQL $PG_VERSION not found, using $PG_BIN"
}

# as_pg CMD...: run as the postgres user when root (initdb refuses root)
as_pg() {
	if is_root; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start_postgres() {
	local port=$1 dir
	dir=$(mktemp -d "$STATE/postgres.XXXXXX") || return 1
	if is_root; then
		chown postgres "$dir"
		if ! runuser -u postgres -- test -w "$dir"; then
			# the state dir lies below a directory postgres cannot enter
			rmdir "$dir"
			dir=$(mktemp -d /tmp/sessionkit-postgres.XXXXXX)
			chown postgres "$dir"
			log "postgres: $STATE is not reachable by the postgres user; using $dir"
		fi
	fi
	record postgres "$dir"
	log "postgres: initdb ($dir)"
	if ! as_pg "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
		</dev/null >"$dir/initdb.log" 2>&1; then
		log "postgres: initdb failed"
		show_log "$dir/initdb.log"
		return 1
	fi
	log "postgres: starting on 127.0.0.1:$port"
	# fsync & co. off: throwaway data, faster tests
	if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start </dev/null >"$dir/pg_ctl.log" 2>&1; then
		log "postgres: pg_ctl start failed"
		show_log "$dir/pg_ctl.log" "$dir/log"
		return 1
	fi
	emit postgres "SESSIONKIT_POSTGRES_DSN=host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=disable"
	log "postgres: ready on port $port"
}

stop_postgres() {
	local dir=$1 pid=""
	[ -d "$dir/data" ] || return 0
	if [ -r "$dir/data/postmaster.pid" ]; then
		pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
	fi
	if [ -z "$pid" ] || ! alive "$pid"; then
		return 0
	fi
	log "postgres: pg_ctl stop -m fast (pid $pid, $dir)"
	if [ -n "$PG_BIN" ] || find_pg_bin; then
		as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop </dev/null >>"$dir/pg_ctl.log" 2>&1 || true
	fi
	# fall back to the postmaster's own PID if pg_ctl could not do it
	kill_pid "$pid" postgres 15
}

# ---------------------------------------------------------------- mariadb --

MARIADBD=""
find_mariadb() {
	local c
	for c in mariadbd /usr/sbin/mariadbd; do
		if command -v "$c" >/dev/null 2>&1; then
			MARIADBD=$(command -v "$c")
			break
		fi
	done
	[ -n "$MARIADBD" ] && command -v mariadb-install-db >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1
}

mariadb_q() {
	local port=$1
	shift
	mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u root --connect-timeout=2 "$@"
}

start_mariadb() {
	local port=$1 dir pid i user_args=()
	dir=$(mktemp -d "$STATE/mariadb.XXXXXX") || return 1
	is_root && user_args=(--user=root)
	record mariadb "$dir"
	log "mariadb: mariadb-install-db ($dir)"
	if ! mariadb-install-db --no-defaults "${user_args[@]}" --datadir="$dir/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		</dev/null >"$dir/install.log" 2>&1; then
		log "mariadb: mariadb-install-db failed"
		show_log "$dir/install.log"
		return 1
	fi
	log "mariadb: starting on 127.0.0.1:$port"
	"$MARIADBD" --no-defaults "${user_args[@]}" --datadir="$dir/data" --port="$port" \
		--bind-address=127.0.0.1 --socket="$dir/sock" --pid-file="$dir/mariadbd.pid" \
		--log-error="$dir/error.log" --character-set-server=utf8mb4 \
		--collation-server=utf8mb4_general_ci --innodb-flush-log-at-trx-commit=0 \
		--innodb-buffer-pool-size=64M --max-connections=200 \
		</dev/null >"$dir/stdout.log" 2>&1 &
	pid=$!
	printf '%s\n' "$pid" >"$dir/launcher.pid"
	for ((i = 0; i < 300; i++)); do
		if mariadb_q "$port" -e 'select 1' >/dev/null 2>&1; then
			break
		fi
		if ! alive "$pid"; then
			log "mariadb: mariadbd (pid $pid) exited during startup"
			show_log "$dir/stdout.log" "$dir/error.log"
			return 1
		fi
		sleep 0.1
	done
	if ! mariadb_q "$port" -e 'CREATE DATABASE IF NOT EXISTS sessionkit_test CHARACTER SET utf8mb4' >"$dir/create.log" 2>&1; then
		log "mariadb: not answering after 30s (or CREATE DATABASE failed)"
		show_log "$dir/create.log" "$dir/stdout.log" "$dir/error.log"
		return 1
	fi
	emit mariadb "SESSIONKIT_MYSQL_DSN=root@tcp(127.0.0.1:$port)/sessionkit_test?parseTime=true"
	log "mariadb: ready on port $port (pid $pid), database sessionkit_test created"
}

stop_mariadb() {
	local dir=$1 pid p
	for p in "$dir/mariadbd.pid" "$dir/launcher.pid"; do
		[ -r "$p" ] || continue
		pid=$(head -n 1 "$p" 2>/dev/null || true)
		[ -n "$pid" ] || continue
		if alive "$pid"; then
			log "mariadb: stopping pid $pid ($dir)"
			kill_pid "$pid" mariadbd 30 || true
		fi
	done
}

stop_redis() {
	local dir=$1 pid
	[ -r "$dir/redis.pid" ] || return 0
	pid=$(head -n 1 "$dir/redis.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && alive "$pid"; then
		log "redis: stopping pid $pid ($dir)"
		kill_pid "$pid" redis-server 10 || true
	fi
}

# ---------------------------------------------------------------- env file --

# emit NAME VAR=VALUE: a started service's variable, collected by write_env
emit() { printf '%s\n' "$2" >"$STATE/run/$1.env"; }

ENV_LINES=()

write_env() {
	local line name value f started=()
	for f in redis cluster postgres mariadb; do
		if [ -s "$STATE/run/$f.env" ]; then
			started+=("$(cat "$STATE/run/$f.env")")
		fi
	done
	ENV_LINES=("${started[@]}" "${ENV_LINES[@]}")
	{
		printf '# sessionkit test services, written %s\n' "$(date -Is)"
		printf 'export SESSIONKIT_STATE=%q\n' "$STATE"
		for line in "${ENV_LINES[@]}"; do
			name=${line%%=*}
			value=${line#*=}
			# single quotes: safe for `source` and `eval`
			printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
		done
	} >"$STATE/env.tmp"
	mv "$STATE/env.tmp" "$STATE/env"
}

# ---------------------------------------------------------------- commands --

cmd_start() {
	local t0 failed=0 missing_ok name pid p1 p2
	local -A jobs=()
	t0=$(date +%s.%N)
	open_state_for_start
	log "state dir $STATE"
	ensure_packages || failed=1
	# Under root the packages were just installed, so a missing binary is a
	# failure; without root it was reported above and is skipped.
	missing_ok=1
	is_root && missing_ok=0

	# The servers start in parallel (the cluster's creation alone waits ~4s).
	if have_redis; then
		pick_port
		start_redis "$PORT" &
		jobs[redis]=$!
		pick_port bus
		p1=$PORT
		pick_port bus
		p2=$PORT
		pick_port bus
		start_cluster "$p1" "$p2" "$PORT" &
		jobs[cluster]=$!
	else
		log "redis-server/redis-cli not found: skipping redis and cluster"
		[ "$missing_ok" = 1 ] || failed=1
	fi
	if find_pg_bin; then
		if is_root && ! id postgres >/dev/null 2>&1; then
			log "postgres: no 'postgres' user to run initdb as"
			failed=1
		else
			pick_port
			start_postgres "$PORT" &
			jobs[postgres]=$!
		fi
	else
		log "PostgreSQL binaries not found: skipping postgres"
		[ "$missing_ok" = 1 ] || failed=1
	fi
	if find_mariadb; then
		pick_port
		start_mariadb "$PORT" &
		jobs[mariadb]=$!
	else
		log "mariadbd/mariadb-install-db/mariadb not found: skipping mariadb"
		[ "$missing_ok" = 1 ] || failed=1
	fi
	for name in "${!jobs[@]}"; do
		pid=${jobs[$name]}
		if ! wait "$pid"; then
			log "$name: FAILED to start"
			failed=1
		fi
	done
	if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import django' >/dev/null 2>&1; then
		ENV_LINES+=("SESSIONKIT_PYTHON=/usr/bin/python3")
	else
		log "/usr/bin/python3 cannot import django: SESSIONKIT_PYTHON not set"
	fi
	if [ -x /usr/bin/chromium ]; then
		ENV_LINES+=("SESSIONKIT_CHROMIUM=/usr/bin/chromium")
	else
		log "/usr/bin/chromium not found: SESSIONKIT_CHROMIUM not set"
	fi

	write_env
	log "env written to $STATE/env"
	log "start took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s$([ "$failed" = 0 ] || echo ' (WITH FAILURES)')"
	cat "$STATE/env"
	return "$failed"
}

cmd_stop() {
	local t0 kind dir _pid
	t0=$(date +%s.%N)
	open_state_for_stop "${1:-}" || return 1
	if [ ! -d "$STATE" ]; then
		log "state dir $STATE is gone: nothing to stop"
		return 0
	fi
	if [ -r "$MANIFEST" ]; then
		# reverse order: last started, first stopped
		while IFS=$'\t' read -r kind dir _pid; do
			[ -n "$dir" ] || continue
			case $kind in
			redis) stop_redis "$dir" ;;
			postgres) stop_postgres "$dir" ;;
			mariadb) stop_mariadb "$dir" ;;
			*) log "unknown manifest entry: $kind $dir" ;;
			esac
		done < <(tac "$MANIFEST")
		# the postgres dir may lie outside the state dir (see start_postgres)
		while IFS=$'\t' read -r kind dir _pid; do
			case $dir in
			"$STATE"/*) ;;
			/tmp/sessionkit-postgres.*) rm -rf -- "$dir" ;;
			esac
		done <"$MANIFEST"
	fi
	if [ -e "$STATE/$MARKER" ]; then
		rm -rf -- "$STATE"
		log "removed $STATE"
	else
		log "$STATE has no $MARKER marker; not removing it"
	fi
	log "stop took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
}

cmd_env() {
	local s=${1:-${SESSIONKIT_STATE:-}}
	[ -n "$s" ] || die "SESSIONKIT_STATE is not set"
	[ -r "$s/env" ] || die "no env file in $s (not started?)"
	cat "$s/env"
}

case ${1:-} in
start)
	cmd_start
	;;
stop)
	shift
	cmd_stop "$@"
	;;
env)
	shift
	cmd_env "$@"
	;;
*)
	printf 'usage: %s start|stop|env   (state dir in SESSIONKIT_STATE)\n' "$0" >&2
	exit 2
	;;
esac
