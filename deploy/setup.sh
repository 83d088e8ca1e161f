#!/usr/bin/env bash
# Puts nonmerci on this server with Docker (or Podman) Compose: PostgreSQL, the web process, a
# worker, and Caddy with automatic HTTPS. Writes .env with fresh secrets, builds, starts, waits
# until the hotline answers, and prints what to do next. Run it again at any time: it keeps the
# existing .env (and so the secrets) and brings everything up to date.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE=$(cd "$HERE/.." && pwd)

usage() {
  cat <<EOF
Usage: deploy/setup.sh --domain NAME --email ADDRESS [--dir DIR] [--force] [--no-start]

Installs and starts nonmerci on this server with Docker Compose (or Podman Compose):
PostgreSQL, nonmerci (web and worker) and Caddy, which gets the HTTPS certificate of NAME
from Let's Encrypt on its own.

  --domain NAME     the name of this server, e.g. hotline.example.org. It must already point
                    at this machine (a DNS "A" record), and ports 80 and 443 must be open.
  --email ADDRESS   where Let's Encrypt sends certificate expiry warnings.
  --dir DIR         folder for the settings (.env) and the compose files
                    (default: $HERE). It is created if needed.
  --force           replace an existing .env with new secrets (the old one is kept as
                    .env.bak-DATE). Only for a fresh install: an existing database refuses the new
                    password, and numbers stored under the old secret become unreadable.
  --no-start        only write .env; do not build or start anything.
  -h, --help        this help.

Afterwards, in DIR:
  docker compose run --rm cli connect twilio    connect your Twilio number
  docker compose up -d --force-recreate web worker
  docker compose run --rm cli doctor            check everything
EOF
}

say() { printf '%s\n' "$*"; }
fail() {
  printf 'setup: %s\n' "$*" >&2
  exit 1
}

DOMAIN=''
EMAIL=''
DIR="$HERE"
FORCE=0
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) [ $# -ge 2 ] || fail "--domain needs a name, e.g. --domain hotline.example.org"; DOMAIN=$2; shift 2 ;;
    --domain=*) DOMAIN=${1#*=}; shift ;;
    --email) [ $# -ge 2 ] || fail "--email needs an address, e.g. --email you@example.org"; EMAIL=$2; shift 2 ;;
    --email=*) EMAIL=${1#*=}; shift ;;
    --dir) [ $# -ge 2 ] || fail "--dir needs a folder"; DIR=$2; shift 2 ;;
    --dir=*) DIR=${1#*=}; shift ;;
    --force) FORCE=1; shift ;;
    --no-start) START=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option \"$1\"" ;;
  esac
done

# ---- what was asked --------------------------------------------------------------------------------
DOMAIN=$(printf '%s' "$DOMAIN" | tr '[:upper:]' '[:lower:]')
case "$DOMAIN" in
  '') usage >&2; fail "--domain is required: the name of this server, e.g. --domain hotline.example.org" ;;
  http://* | https://* | */*) fail "--domain takes the name only, without https:// or a path: e.g. --domain hotline.example.org" ;;
  localhost | *.localhost) fail "--domain must be a public name that points at this server, not $DOMAIN" ;;
esac
if ! printf '%s' "$DOMAIN" | grep -Eq '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'; then
  fail "\"$DOMAIN\" is not a domain name; write e.g. --domain hotline.example.org (an IP address cannot get a certificate here)"
fi
if [ -z "$EMAIL" ]; then
  usage >&2
  fail "--email is required: Let's Encrypt writes there before a certificate expires"
fi
printf '%s' "$EMAIL" | grep -Eq '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' ||
  fail "\"$EMAIL\" is not an e-mail address"

# ---- Docker or Podman, with Compose -----------------------------------------------------------------
ENGINE=''
COMPOSE=()
find_compose() {
  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    ENGINE=docker COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1 && docker-compose version 2>/dev/null | grep -Eq 'version v?[2-9]\.'; then
    ENGINE=docker COMPOSE=(docker-compose)
  elif command -v podman >/dev/null 2>&1 && podman compose version >/dev/null 2>&1; then
    ENGINE=podman COMPOSE=(podman compose)
  elif command -v podman >/dev/null 2>&1 && command -v podman-compose >/dev/null 2>&1; then
    ENGINE=podman COMPOSE=(podman-compose)
  fi
}
if [ "$START" = 1 ]; then
  find_compose
  if [ -z "$ENGINE" ]; then
    if command -v docker >/dev/null 2>&1; then
      fail "Docker is installed, but not its Compose plugin. Install it (on Debian or Ubuntu: sudo apt-get install docker-compose-plugin, from Docker's own apt repository), then run this again."
    fi
    fail "Docker is not installed. Install Docker Engine with its Compose plugin (https://docs.docker.com/engine/install/ — on Debian or Ubuntu: curl -fsSL https://get.docker.com | sudo sh), then run this again."
  fi
  if ! "$ENGINE" info >/dev/null 2>&1; then
    fail "$ENGINE is installed but does not answer: start it (sudo systemctl start $ENGINE), or run this with sudo, or add your user to the \"$ENGINE\" group and log in again."
  fi
fi

# ---- .env ----------------------------------------------------------------------------------------------
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ENV_FILE="$DIR/.env"

random_base64() { # $1 bytes, printed on one line, URL-safe
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 "$1"
  else
    head -c "$1" /dev/urandom | base64
  fi | tr -d '\n' | tr '+/' '-_' | tr -d '='
}
random_hex() { # $1 bytes
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$1"
  else
    head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
  fi
}

# .env belongs to the owner of its folder (the user who copied nonmerci there, even when this runs
# with sudo), and one-off commands (docker compose run --rm cli …) run as that user: `connect
# twilio` rewrites .env through a new file in the same folder. With rootless Docker or Podman, that
# user is root inside the containers.
owner() { stat -c %u:%g "$DIR"; }
cli_user() {
  local rootless=false
  case "$ENGINE" in
    podman) rootless=$(podman info --format '{{.Host.Security.Rootless}}' 2>/dev/null || echo false) ;;
    docker) docker info --format '{{json .SecurityOptions}}' 2>/dev/null | grep -q rootless && rootless=true ;;
  esac
  if [ "$rootless" = true ]; then echo 0:0; else owner; fi
}

# The new .env: fresh secrets, and the names compose.yaml needs.
write_env() {
  say "# nonmerci settings, written by deploy/setup.sh on $(date -u +%Y-%m-%dT%H:%MZ)."
  say "# Keep a copy of this file somewhere safe (a password manager): NONMERCI_SECRET decrypts the"
  say "# stored phone numbers, and nothing can recover them without it."
  say "# Any setting of .env.example may be added below; then, in this folder, run"
  say "# docker compose up -d --force-recreate web worker"
  say ""
  say "# The server's name (its HTTPS certificate comes from Let's Encrypt) and the ACME account."
  say "DOMAIN=$DOMAIN"
  say "EMAIL=$EMAIL"
  say ""
  say "NONMERCI_SECRET=$(random_base64 48)"
  say "POSTGRES_PASSWORD=$(random_hex 24)"
  say "# Creates the dashboard user \"admin\" at the first start only; change it there afterwards."
  say "ADMIN_PASSWORD=$ADMIN_PASSWORD"
  say ""
  say "# User and group that run one-off commands (docker compose run --rm cli …)."
  say "NONMERCI_CLI_USER=$(cli_user)"
  if [ "$DIR" != "$HERE" ]; then
    say "# The nonmerci source folder the image is built from."
    say "NONMERCI_SOURCE=$SOURCE"
  fi
  say ""
  say "# Twilio: run \"docker compose run --rm cli connect twilio\", which fills these in."
  say "# TWILIO_ACCOUNT_SID="
  say "# TWILIO_AUTH_TOKEN="
  say "# HOTLINE_NUMBER="
}

ADMIN_PASSWORD=''
if [ -e "$ENV_FILE" ] && [ "$FORCE" != 1 ]; then
  say "Keeping $ENV_FILE (its secrets are in use; --force writes new ones, for a fresh install only)."
  current=$(sed -n 's/^DOMAIN=//p' "$ENV_FILE" | tail -n 1)
  if [ -n "$current" ] && [ "$current" != "$DOMAIN" ]; then
    fail "$ENV_FILE is for $current, not $DOMAIN. To change the name, edit DOMAIN in it and run this again."
  fi
else
  if [ -e "$ENV_FILE" ]; then
    backup="$ENV_FILE.bak-$(date +%Y%m%d-%H%M%S)"
    cp -p "$ENV_FILE" "$backup"
    say "The previous .env is kept as $backup."
  fi
  ADMIN_PASSWORD=$(random_base64 15)
  tmp="$ENV_FILE.tmp.$$"
  (umask 077 && write_env >"$tmp")
  chmod 600 "$tmp"
  [ "$(id -u)" != 0 ] || chown "$(owner)" "$tmp"
  mv -f "$tmp" "$ENV_FILE"
  say "Wrote $ENV_FILE (readable by $(stat -c %U "$ENV_FILE") only)."
fi
chmod 600 "$ENV_FILE"

if [ "$DIR" != "$HERE" ]; then
  cp "$HERE/compose.yaml" "$HERE/Caddyfile.compose" "$DIR/"
  grep -q '^NONMERCI_SOURCE=' "$ENV_FILE" || printf '\nNONMERCI_SOURCE=%s\n' "$SOURCE" >>"$ENV_FILE"
fi

if [ "$START" != 1 ]; then
  say "Not started (--no-start). To start: cd $DIR && docker compose up -d"
  exit 0
fi

# ---- build, start, wait ----------------------------------------------------------------------------
cd "$DIR"
resolves=yes
if command -v getent >/dev/null 2>&1 && ! getent hosts "$DOMAIN" >/dev/null 2>&1; then
  resolves=no
  say "⚠  $DOMAIN does not resolve yet: Caddy gets the certificate once it points at this server."
fi
say "Downloading PostgreSQL and Caddy…"
"${COMPOSE[@]}" pull postgres caddy ||
  fail "the PostgreSQL and Caddy images could not be downloaded: check this server's Internet access."
say "Building nonmerci (a few minutes the first time)…"
"${COMPOSE[@]}" build web
say "Starting…"
"${COMPOSE[@]}" up -d

say "Waiting for nonmerci to answer…"
ready=0
for _ in $(seq 1 90); do
  if "${COMPOSE[@]}" exec -T web node -e "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 2
done
if [ "$ready" != 1 ]; then
  "${COMPOSE[@]}" ps >&2 || true
  "${COMPOSE[@]}" logs --tail 30 web worker >&2 || true
  fail "nonmerci did not become ready within 3 minutes; the logs above say why (cd $DIR && ${COMPOSE[*]} logs web worker)."
fi

public='no'
if [ "$resolves" = yes ] && command -v curl >/dev/null 2>&1; then
  for _ in $(seq 1 30); do
    if curl -fsS --max-time 5 "https://$DOMAIN/healthz" >/dev/null 2>&1; then
      public='yes'
      break
    fi
    sleep 2
  done
fi

# ---- what next -------------------------------------------------------------------------------------
compose="${COMPOSE[*]}"
# Run with sudo: so are the next commands.
[ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && compose="sudo $compose"
say ""
say "✔ nonmerci is running."
if [ "$public" = yes ]; then
  say "✔ https://$DOMAIN answers, with a valid certificate."
else
  say "⚠  https://$DOMAIN does not answer yet. Check that $DOMAIN points at this server and that"
  say "   ports 80 and 443 are open; Caddy keeps trying (${compose} logs caddy)."
fi
say ""
say "Dashboard:  https://$DOMAIN/"
if [ -n "$ADMIN_PASSWORD" ]; then
  say "            user: admin   password: $ADMIN_PASSWORD"
  say "            (shown once: keep it in a password manager; you can change it on the dashboard)"
fi
say ""
say "Twilio webhooks (HTTP POST); \"connect twilio\" below sets them for you:"
say "  A call comes in:      https://$DOMAIN/webhooks/twilio/voice"
say "  A message comes in:   https://$DOMAIN/webhooks/twilio/sms"
say "  Delivery reports:     https://$DOMAIN/webhooks/twilio/status  (sent with each SMS: nothing to paste)"
say ""
say "Next steps:"
say "  cd $DIR"
say "  $compose run --rm cli connect twilio              # your Twilio account and number; writes .env"
say "  $compose up -d --force-recreate web worker        # restart with those settings"
say "  $compose run --rm cli doctor                      # every line should be ✔"
say ""
say "Keep a copy of $ENV_FILE away from this server: NONMERCI_SECRET decrypts the stored numbers."
