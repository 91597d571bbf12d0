#!/usr/bin/env bash
# Sosyabot's one entry point: runs the app (and the local PostgreSQL it needs) and the test suite.
# Run './service.sh help' for the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

STATE_DIR="$ROOT/.local"
LOG_DIR="$STATE_DIR/logs"
APP_DIR="$STATE_DIR/app"
APP_PID_FILE="$STATE_DIR/app.pid"
SANDBOX_DIR="$STATE_DIR/xsandbox"
SANDBOX_PID_FILE="$STATE_DIR/xsandbox.pid"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${SOSYABOT_PG_PORT:-55432}"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
fail() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

load_env() {
  if [[ -f "$ROOT/.env" ]]; then
    set -a
    # shellcheck disable=SC1091
    . "$ROOT/.env"
    set +a
  fi
  BASE_URL="${BASE_URL:-http://localhost:8080}"
  export BASE_URL
  if [[ -z "${PORT:-}" ]]; then
    PORT="$(port_of "$BASE_URL")"
  fi
  export PORT
}

port_of() {
  local url="$1" hostport
  hostport="${url#*://}"
  hostport="${hostport%%/*}"
  if [[ "$hostport" == *:* ]]; then echo "${hostport##*:}"
  elif [[ "$url" == https://* ]]; then echo 443
  else echo 80
  fi
}

require() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed. $2"
}

# --- PostgreSQL: a project-local cluster, used only when DATABASE_URL is not given ------------------

pg_data_dir() {
  # PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' user, which
  # must be able to reach the folder; a checkout under a private home falls back to /var/tmp.
  local dir="$STATE_DIR/postgres"
  if [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
    dir="/var/tmp/sosyabot-postgres-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
  fi
  echo "$dir"
}

as_pg_owner() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
  local dir; dir="$(pg_data_dir)"
  [[ -f "$dir/data/postmaster.pid" ]] && as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

ensure_postgres() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    LOCAL_PG=0
    return
  fi
  LOCAL_PG=1
  [[ -x "$PG_BIN/postgres" ]] || fail "PostgreSQL 15 is not at $PG_BIN. Install it (apt-get install postgresql-15) or set DATABASE_URL in .env."
  local dir; dir="$(pg_data_dir)"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    say "Creating a local PostgreSQL cluster in $dir (port $PG_PORT)"
    mkdir -p "$dir"
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$dir/password"
    if [[ $EUID -eq 0 ]]; then chown -R postgres: "$dir"; fi
    chmod 700 "$dir"
    as_pg_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }
  fi
  if ! pg_running; then
    say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    mkdir -p "$dir/run"
    if [[ $EUID -eq 0 ]]; then chown postgres: "$dir/run"; fi
    as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir/run -c listen_addresses=127.0.0.1" start >/dev/null \
      || { tail -n 20 "$dir/postgres.log" >&2; fail "PostgreSQL did not start; see $dir/postgres.log"; }
  fi
  local password; password="$(cat "$dir/password")"
  PG_ADMIN_URL="postgres://postgres:$password@127.0.0.1:$PG_PORT/postgres"
  if ! PGPASSWORD="$password" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sosyabot'" | grep -q 1; then
    PGPASSWORD="$password" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE sosyabot" >/dev/null
  fi
  DATABASE_URL="postgres://postgres:$password@127.0.0.1:$PG_PORT/sosyabot"
  export DATABASE_URL
}

stop_postgres() {
  local dir; dir="$(pg_data_dir)"
  if pg_running; then
    say "Stopping PostgreSQL"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
}

# --- The app ------------------------------------------------------------------------------------------

# launch DIR DLL LOG PIDFILE [VAR=value ...]: runs a published .NET app in the background, detached from
# this shell's output, and records the pid of the dotnet process itself (exec, not a wrapper shell).
# The key-encryption key that wraps the key ring stored in the database. Generated once, on the first start, into .env
# (the operator's own file, next to the rest of the configuration): without it the secrets in the database cannot be
# read, so it must be backed up, but apart from database backups, or a stolen backup opens everything.
ensure_kek() {
  [[ -n "${DATA_PROTECTION_KEY:-}" ]] && return
  local key env_file="$ROOT/.env"
  key="$(head -c 32 /dev/urandom | base64)"
  [[ -f "$env_file" ]] || { touch "$env_file"; chmod 600 "$env_file"; }
  if grep -q '^DATA_PROTECTION_KEY=' "$env_file"; then
    # .env.example's empty line, filled in place so no second assignment contradicts it.
    sed -i "s|^DATA_PROTECTION_KEY=.*|DATA_PROTECTION_KEY=$key|" "$env_file"
  else
    {
      echo ""
      echo "# Key-encryption key for the key ring in the database, generated by ./service.sh on $(date -u +%Y-%m-%d)."
      echo "# Back it up apart from database backups; every node needs the same value; losing it loses the stored secrets."
      echo "DATA_PROTECTION_KEY=$key"
    } >>"$env_file"
  fi
  export DATA_PROTECTION_KEY="$key"
  say "Generated DATA_PROTECTION_KEY into $env_file: back it up (apart from database backups); every node needs the same value"
}

launch() {
  local dir="$1" dll="$2" log="$3" pidfile="$4"
  shift 4
  (cd "$dir" && exec env "$@" nohup dotnet "$dll" >>"$log" 2>&1 </dev/null) &
  echo $! >"$pidfile"
}

app_pid() {
  [[ -f "$APP_PID_FILE" ]] && kill -0 "$(cat "$APP_PID_FILE")" 2>/dev/null && cat "$APP_PID_FILE"
}

build_app() {
  require dotnet "Install the .NET 10 SDK: https://dotnet.microsoft.com/download"
  say "Building Sosyabot"
  dotnet publish "$ROOT/src/Sosyabot.Web/Sosyabot.Web.csproj" -c Release -o "$APP_DIR" --nologo -v quiet >"$LOG_DIR/build.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/build.log" >&2; fail "build failed; see $LOG_DIR/build.log"; }
}

migrate() {
  say "Applying database migrations"
  (cd "$APP_DIR" && dotnet Sosyabot.Web.dll migrate) >>"$LOG_DIR/app.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/app.log" >&2; fail "migrations failed; see $LOG_DIR/app.log"; }
}

wait_healthy() {
  local url="http://127.0.0.1:$PORT/healthz"
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! app_pid >/dev/null; then
      tail -n 30 "$LOG_DIR/app.log" >&2
      fail "the app exited during start-up; see $LOG_DIR/app.log"
    fi
    sleep 0.5
  done
  fail "the app did not answer $url within 60 s; see $LOG_DIR/app.log"
}

start_app() {
  if app_pid >/dev/null; then
    say "Sosyabot is already running (pid $(app_pid)) at $BASE_URL"
    return
  fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
    fail "port $PORT is already taken by another program. Set PORT or BASE_URL in .env."
  fi
  build_app
  migrate
  say "Starting Sosyabot on port $PORT"
  local log_start; log_start="$(stat -c %s "$LOG_DIR/app.log" 2>/dev/null || echo 0)"
  launch "$APP_DIR" Sosyabot.Web.dll "$LOG_DIR/app.log" "$APP_PID_FILE" DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Production}"
  wait_healthy
  say "Sosyabot is up: $BASE_URL (logs: ./service.sh logs)"
  tail -c +"$((log_start + 1))" "$LOG_DIR/app.log" | show_setup_link
}

# An unclaimed instance logs a one-time setup link at start; the person starting it is the one to see it.
show_setup_link() {
  local line
  line="$(grep -a 'account/register?setup=' | tail -n 1 || true)"
  if [[ -n "$line" ]]; then
    printf '\033[1;33m==> %s\033[0m\n' "${line#*] }"
  fi
}

# runs DLL PID: whether PID is still the process that runs DLL (a pid can be reused once it exits).
runs() {
  tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -q -- "$1"
}

# stop_process NAME DLL PIDFILE: asks it to stop, waits ten seconds, then kills what is still that process.
stop_process() {
  local name="$1" dll="$2" pid_file="$3" pid
  if [[ -f "$pid_file" ]] && pid="$(cat "$pid_file")" && runs "$dll" "$pid"; then
    say "Stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do runs "$dll" "$pid" || break; sleep 0.25; done
    if runs "$dll" "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pid_file"
}

stop_app() { stop_process Sosyabot Sosyabot.Web.dll "$APP_PID_FILE"; }

# --- The XSandbox: a local stand-in for X, for demos without an X account ----------------------------

sandbox_pid() {
  [[ -f "$SANDBOX_PID_FILE" ]] && kill -0 "$(cat "$SANDBOX_PID_FILE")" 2>/dev/null && cat "$SANDBOX_PID_FILE"
}

sandbox_url() { echo "http://127.0.0.1:${SANDBOX_PORT:-5090}"; }

start_sandbox() {
  if ! sandbox_pid >/dev/null; then
    say "Building and starting the XSandbox on $(sandbox_url)"
    dotnet publish "$ROOT/src/Sosyabot.XSandbox/Sosyabot.XSandbox.csproj" -c Release -o "$SANDBOX_DIR" --nologo -v quiet >"$LOG_DIR/xsandbox-build.log" 2>&1 \
      || { tail -n 30 "$LOG_DIR/xsandbox-build.log" >&2; fail "the XSandbox did not build; see $LOG_DIR/xsandbox-build.log"; }
    launch "$SANDBOX_DIR" Sosyabot.XSandbox.dll "$LOG_DIR/xsandbox.log" "$SANDBOX_PID_FILE" PORT="${SANDBOX_PORT:-5090}"
    for _ in $(seq 1 60); do curl -fsS -o /dev/null "$(sandbox_url)/" 2>/dev/null && break; sleep 0.5; done
  fi
  use_sandbox
}

# Points the app at the sandbox; its client is the fallback unless the environment names another.
use_sandbox() {
  export X_API_BASE_URL="$(sandbox_url)" X_AUTHORIZE_URL="$(sandbox_url)/i/oauth2/authorize" X_WEB_BASE_URL="$(sandbox_url)"
  export TWITTER_CLIENT_ID="${TWITTER_CLIENT_ID:-sandbox-client-id}" TWITTER_CLIENT_SECRET="${TWITTER_CLIENT_SECRET:-sandbox-client-secret}"
}

stop_sandbox() { stop_process "the XSandbox" Sosyabot.XSandbox.dll "$SANDBOX_PID_FILE"; }

# --- Docker: the same commands through docker compose, for machines without the .NET SDK -------------

# 'local' (dotnet + a local PostgreSQL cluster) or 'docker' (compose); SOSYABOT_RUNTIME in .env decides.
runtime() {
  case "${SOSYABOT_RUNTIME:-}" in
    local|docker) echo "$SOSYABOT_RUNTIME" ;;
    "")
      if command -v dotnet >/dev/null 2>&1; then echo local
      elif compose_cmd >/dev/null; then echo docker
      else fail "neither the .NET 10 SDK nor Docker Compose is installed. Install one of them: https://dotnet.microsoft.com/download or https://docs.docker.com/compose/install/"
      fi ;;
    *) fail "SOSYABOT_RUNTIME must be 'local' or 'docker' (it is '$SOSYABOT_RUNTIME')" ;;
  esac
}

compose_cmd() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then echo "docker-compose"
  else return 1
  fi
}

compose() {
  local cmd; cmd="$(compose_cmd)" || fail "Docker Compose is not installed (SOSYABOT_RUNTIME=docker): https://docs.docker.com/compose/install/"
  docker info >/dev/null 2>&1 || fail "the Docker engine is not reachable (docker info failed). Start Docker, or set SOSYABOT_RUNTIME=local to run with the .NET SDK instead."
  $cmd --profile sandbox "$@"
}

docker_start() {
  local services=(app)
  if [[ "${1:-}" == "--sandbox" ]]; then
    services+=(xsandbox)
    # The app reaches the sandbox by its compose name; the browser, on the host's published port.
    export X_API_BASE_URL="http://xsandbox:5090"
    export X_AUTHORIZE_URL="http://localhost:${SANDBOX_PORT:-5090}/i/oauth2/authorize" X_WEB_BASE_URL="http://localhost:${SANDBOX_PORT:-5090}"
    export TWITTER_CLIENT_ID="${TWITTER_CLIENT_ID:-sandbox-client-id}" TWITTER_CLIENT_SECRET="${TWITTER_CLIENT_SECRET:-sandbox-client-secret}"
  fi
  say "Building and starting ${services[*]} with docker compose"
  local started; started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  compose up -d --build "${services[@]}"
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
      say "Sosyabot is up: $BASE_URL (logs: ./service.sh logs)"
      compose logs --no-log-prefix --since "$started" app 2>/dev/null | show_setup_link
      return
    fi
    sleep 1
  done
  fail "the app did not answer on port $PORT within 2 minutes; see ./service.sh logs"
}

docker_command() {
  case "$1" in
    start) docker_start "${2:-}" ;;
    stop) say "Stopping the compose services (the database volume is kept)"; compose down ;;
    # Compose reads .env on every call, so recreating the container is what re-reads it.
    restart) say "Recreating the app container with the current .env"; compose up -d --no-deps --force-recreate app ;;
    status) compose ps ;;
    logs) compose logs -f --tail 200 app ;;
    migrate) compose run --rm migrate ;;
    *) fail "'$1' runs only without Docker (SOSYABOT_RUNTIME=local): it needs the .NET SDK" ;;
  esac
}

# --- Tests --------------------------------------------------------------------------------------------

# apt_install PACKAGE COMMAND WHY: installs a Debian package when COMMAND is missing (as root), or says how to.
apt_install() {
  local package="$1" command="$2" why="$3"
  if command -v "$command" >/dev/null 2>&1; then return; fi
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    say "Installing Debian's $package $why"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    fail "Debian's $package is needed $why: sudo apt-get install $package"
  fi
}

ensure_chromium() { apt_install chromium /usr/bin/chromium "for the browser tests"; }
ensure_compose_cli() { apt_install docker-compose docker-compose "to check how docker-compose.yml renders"; }

# The OpenAPI lint test runs the Redocly CLI pinned in tools/openapi-lint; reinstalled when its lock file changes.
ensure_openapi_lint() {
  local tool="$ROOT/tools/openapi-lint"
  require npm "The OpenAPI lint test needs Node.js 20.19+ (or 22.12+) with npm: https://nodejs.org/en/download"
  if [[ ! -x "$tool/node_modules/.bin/redocly" || "$tool/package-lock.json" -nt "$tool/node_modules/.package-lock.json" ]]; then
    say "Installing the OpenAPI linter (tools/openapi-lint)"
    npm ci --prefix "$tool" --no-audit --no-fund >"$LOG_DIR/openapi-lint-install.log" 2>&1 \
      || { tail -n 30 "$LOG_DIR/openapi-lint-install.log" >&2; fail "npm ci in tools/openapi-lint failed; see $LOG_DIR/openapi-lint-install.log"; }
  fi
}

run_tests() {
  require dotnet "The tests need the .NET 10 SDK: https://dotnet.microsoft.com/download"
  ensure_chromium
  ensure_compose_cli
  ensure_openapi_lint
  local pg_was_running=0
  if pg_running; then pg_was_running=1; fi
  ensure_postgres
  if [[ "$LOCAL_PG" == 1 && "$pg_was_running" == 0 ]]; then
    # Ctrl-C (or a failure) must not leave the cluster this run started behind.
    trap 'stop_postgres' EXIT
    trap 'exit 130' INT TERM
  fi
  if [[ "$LOCAL_PG" == 1 ]]; then
    export SOSYABOT_TEST_DATABASE_URL="$PG_ADMIN_URL"
  else
    export SOSYABOT_TEST_DATABASE_URL="$DATABASE_URL"
  fi
  say "Running the tests (integration tests on PostgreSQL, browser tests in Chromium)"
  local status=0 out="$LOG_DIR/test.log"
  rm -rf "$ROOT/artifacts/reports"
  dotnet test "$ROOT/Sosyabot.sln" -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee "$out" || status=$?
  if compgen -G "$ROOT/artifacts/reports/*.txt" >/dev/null; then
    say "Figures measured by the suites (artifacts/reports/)"
    cat "$ROOT"/artifacts/reports/*.txt
  fi
  awk '/^ *Passed: *[0-9]+$/ {p += $2} /^ *Failed: *[0-9]+$/ {f += $2} END {printf "tests: %d passed, %d failed\n", p, f}' "$out"
  # Last, where a CI log's tail shows it: which tests failed and the first lines of why.
  awk '/^  Failed [A-Za-z]/ {print; n = 8; next} /^  Passed / {n = 0} n > 0 && !/^\[[0-9:]+ [A-Z]+\]/ {print; n--}' "$out"
  return "$status"
}

# --- Benchmark ----------------------------------------------------------------------------------------

run_bench() {
  require dotnet "The benchmark needs the .NET 10 SDK."
  apt_install wrk wrk "for the benchmark's throughput figures"
  local pg_was_running=0
  if pg_running; then pg_was_running=1; fi
  ensure_postgres
  if [[ "$LOCAL_PG" == 1 && "$pg_was_running" == 0 ]]; then
    trap 'stop_postgres' EXIT
    trap 'exit 130' INT TERM
  fi
  if [[ "$LOCAL_PG" == 1 ]]; then export SOSYABOT_BENCH_DATABASE_URL="$PG_ADMIN_URL"; else export SOSYABOT_BENCH_DATABASE_URL="$DATABASE_URL"; fi
  say "Building (Release) and running the benchmark; it prints a table at the end"
  dotnet build "$ROOT/Sosyabot.sln" -c Release --nologo -v quiet >"$LOG_DIR/bench-build.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/bench-build.log" >&2; fail "build failed; see $LOG_DIR/bench-build.log"; }
  local status=0
  dotnet run -c Release --no-build --project "$ROOT/bench/Sosyabot.Bench" | tee "$LOG_DIR/bench.log" || status=$?
  return "$status"
}

usage() {
  cat <<'TXT'
Usage: ./service.sh <command>

  start         build and start Sosyabot (and a local PostgreSQL when DATABASE_URL is unset)
  start --sandbox   the same, with the XSandbox standing in for X (no X account needed)
  stop          stop Sosyabot, the XSandbox and the local PostgreSQL it started
  restart api   restart only the app, re-reading .env
  status        what is running
  logs          follow the app's log
  migrate       apply database migrations
  db            start only the local PostgreSQL and print its URLs (for running 'dotnet test' by hand)
  test          run every test (starts PostgreSQL, installs Chromium when missing)
  bench         run the benchmark against the XSandbox and print its table (never fails on a figure)
  help          this text

With the .NET 10 SDK installed, the app runs from source next to a local PostgreSQL 15 cluster.
Without it (or with SOSYABOT_RUNTIME=docker in .env), start/stop/restart/status/logs/migrate drive
docker compose instead; 'test' and 'db' always need the SDK. Configuration: .env (see .env.example).
TXT
}

mkdir -p "$LOG_DIR"
load_env

case "${1:-help}" in
  start|restart) ensure_kek ;;
esac

case "${1:-help}" in
  start|stop|restart|status|logs|migrate)
    if [[ "$(runtime)" == docker ]]; then
      [[ "$1" != restart || "${2:-api}" == api ]] || fail "usage: ./service.sh restart api"
      docker_command "$1" "${2:-}"
      exit 0
    fi
    ;;
esac

case "${1:-help}" in
  start)
    case "${2:-}" in
      "") ;;
      --sandbox) require dotnet "Install the .NET 10 SDK."; start_sandbox ;;
      *) fail "usage: ./service.sh start [--sandbox]" ;;
    esac
    ensure_postgres
    start_app
    if sandbox_pid >/dev/null; then say "X is played by the XSandbox: $(sandbox_url) (its page lists what was posted)"; fi
    ;;
  stop)
    stop_app
    stop_sandbox
    stop_postgres
    ;;
  restart)
    [[ "${2:-api}" == "api" ]] || fail "usage: ./service.sh restart api"
    stop_app
    if sandbox_pid >/dev/null; then use_sandbox; fi
    ensure_postgres
    start_app
    ;;
  status)
    if [[ -z "${DATABASE_URL:-}" ]]; then
      if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT ($(pg_data_dir))"; else echo "postgres: stopped"; fi
    else
      echo "postgres: external (DATABASE_URL)"
    fi
    if pid="$(app_pid)"; then echo "app: running (pid $pid) at $BASE_URL"; else echo "app: stopped"; fi
    if pid="$(sandbox_pid)"; then echo "xsandbox: running (pid $pid) at $(sandbox_url)"; else echo "xsandbox: stopped"; fi
    ;;
  logs)
    touch "$LOG_DIR/app.log"
    tail -n 200 -f "$LOG_DIR/app.log"
    ;;
  db)
    ensure_postgres
    if [[ "$LOCAL_PG" == 1 ]]; then
      echo "DATABASE_URL=$DATABASE_URL"
      echo "SOSYABOT_TEST_DATABASE_URL=$PG_ADMIN_URL   # for 'dotnet test' run by hand"
    else
      echo "using DATABASE_URL from the environment"
    fi
    ;;
  migrate)
    ensure_postgres
    build_app
    migrate
    ;;
  test)
    run_tests
    ;;
  bench)
    run_bench
    ;;
  help|-h|--help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
