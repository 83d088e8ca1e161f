#!/usr/bin/env bash
# End-to-end check of the container deployment, with Podman on this machine. It follows the
# README's "Run it on a server" with Compose, each service run by hand as compose.yaml runs it:
#
#   1. builds the image (BASE overridable), measures the build time and the image size;
#   2. checks the image: non-root user, read-only program files, private /data, health check, no
#      secret in its settings or history, no build tools;
#   3. deploy/setup.sh --no-start writes .env; the web and worker processes start from it, as
#      compose.yaml runs them (read-only, no capabilities), on the host network, against a
#      throw-away database of the local PostgreSQL; Caddy (if installed) proxies HTTPS to the web
#      process with Caddyfile.compose and a local certificate authority;
#   4. `connect twilio` runs as compose's cli service (in the folder of .env, as its owner) against
#      a stand-in for Twilio's API: it points the number at the hotline and rewrites .env;
#   5. web and worker are recreated with that .env; a Twilio-signed SMS webhook (signed by the
#      official twilio package) gets 200 and TwiML through Caddy, the contact is in PostgreSQL,
#      and the worker sends the one reply to the stand-in;
#   6. `backup` and `doctor` run as the cli service: the backup lands beside .env, every check of
#      doctor passes;
#   7. parses deploy/compose.yaml and checks its structure;
#   8. stops everything, checks the processes stopped cleanly, and cleans up (the image stays).
#
# Usage: deploy/test.sh [--no-cache] [--remove-image]
# Environment: BASE (base image; default node:24-bookworm-slim if present or pullable, else
# localhost/node24-local:bookworm), IMAGE (default localhost/nonmerci:deploy-test), PG_ADMIN_URL
# (default postgres://postgres@127.0.0.1:5432/postgres), WEB_PORT (39301), FAKE_PORT (39302),
# TLS_PORT (39443), HTTP_PORT (39480). Needs podman, psql and curl; caddy for the HTTPS leg.
# Not part of `npm test`: it takes a minute or more.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

NO_CACHE=()
REMOVE_IMAGE=0
for arg in "$@"; do
  case "$arg" in
    --no-cache) NO_CACHE=(--no-cache) ;;
    --remove-image) REMOVE_IMAGE=1 ;;
    -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

IMAGE=${IMAGE:-localhost/nonmerci:deploy-test}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export PGOPTIONS='--client-min-messages=warning'
DB_NAME=nonmerci_deploy_test
DB_URL="${PG_ADMIN_URL%/*}/$DB_NAME"
WEB_PORT=${WEB_PORT:-39301}
FAKE_PORT=${FAKE_PORT:-39302}
TLS_PORT=${TLS_PORT:-39443}
HTTP_PORT=${HTTP_PORT:-39480}
DOMAIN=hotline.example.org
# The public address; a port of its own, so that no privileged port is needed here.
PUBLIC_URL="https://$DOMAIN:$TLS_PORT"
LINE=+33939000000
CALLER=+33612345678
PREFIX=nonmerci-deploy-test
WEB="$PREFIX-web"
WORKER="$PREFIX-worker"
FAKE="$PREFIX-twilio"

for tool in podman psql curl; do
  command -v "$tool" >/dev/null || { echo "deploy/test.sh needs $tool" >&2; exit 2; }
done

TMP=$(mktemp -d)
FAILED=0
CADDY_PID=''
ok() { printf '  ✔ %s\n' "$*"; }
bad() {
  printf '  ✘ %s\n' "$*" >&2
  FAILED=1
}
die() {
  printf '  ✘ %s\n' "$*" >&2
  exit 1
}
check() { # check DESCRIPTION COMMAND…
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
ms_now() { date +%s%3N; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

cleanup() {
  local code=$?
  if [ "$code" != 0 ] || [ "$FAILED" != 0 ]; then
    for c in "$WEB" "$WORKER" "$FAKE"; do
      if podman container exists "$c" 2>/dev/null; then
        echo "--- last logs of $c" >&2
        podman logs --tail 25 "$c" >&2 2>&1 || true
      fi
    done
    [ -f "$TMP/caddy.log" ] && { echo "--- last logs of caddy" >&2; tail -5 "$TMP/caddy.log" >&2; }
  fi
  [ -n "$CADDY_PID" ] && kill "$CADDY_PID" 2>/dev/null
  podman rm -f -v "$WEB" "$WORKER" "$FAKE" >/dev/null 2>&1 || true
  psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$REMOVE_IMAGE" = 1 ]; then podman rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$WEB_PORT" "$FAKE_PORT" "$TLS_PORT" "$HTTP_PORT"; do
  port_free "$port" || die "port $port is in use: set WEB_PORT, FAKE_PORT, TLS_PORT or HTTP_PORT"
done
psql "$PG_ADMIN_URL" -qAtc 'select 1' >/dev/null || die "PostgreSQL does not answer at $PG_ADMIN_URL (set PG_ADMIN_URL)"

# ---- 1. build ---------------------------------------------------------------------------------------
if [ -z "${BASE:-}" ]; then
  if podman image exists docker.io/library/node:24-bookworm-slim ||
    timeout 60 podman pull -q docker.io/library/node:24-bookworm-slim >/dev/null 2>&1; then
    BASE=docker.io/library/node:24-bookworm-slim
  else
    BASE=localhost/node24-local:bookworm
    if ! podman image exists "$BASE"; then
      script="$ROOT/../shared/tools/container-base.sh"
      [ -x "$script" ] || die "no registry reachable and no local base image: build a Node 24 image and set BASE"
      echo "No registry reachable: building the local base image $BASE…"
      "$script" "$BASE" >/dev/null
    fi
  fi
fi
echo "1. Building $IMAGE on $BASE…"
start=$(ms_now)
podman build --format docker --network host --build-arg "BASE=$BASE" "${NO_CACHE[@]}" \
  -t "$IMAGE" . >"$TMP/build.log" 2>&1 || { tail -40 "$TMP/build.log" >&2; die "the image does not build"; }
BUILD_MS=$(($(ms_now) - start))
ok "built in $(seconds "$BUILD_MS")${NO_CACHE[*]:+ (no cache)}"
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE")
IMAGE_MB=$((size / 1000000))
ADDED_MB=$(((size - base_size) / 1000000))
ok "image: $IMAGE_MB MB, of which $ADDED_MB MB on top of the base image ($((base_size / 1000000)) MB)"

# ---- 2. the image itself ----------------------------------------------------------------------------
echo "2. The image"
inspect() { podman image inspect --format "$1" "$IMAGE"; }
user=$(inspect '{{.Config.User}}')
check "runs as user $user, not root" test "${user%%:*}" != 0 -a "${user%%:*}" != root -a -n "$user"
check "health check asks /healthz" grep -q /healthz <<<"$(inspect '{{json .HealthCheck}}')"
check "entrypoint is node /app/bin/nonmerci.js serve" \
  test "$(inspect '{{json .Config.Entrypoint}}{{json .Config.Cmd}}')" = '["node","/app/bin/nonmerci.js"]["serve"]'
# shellcheck disable=SC2016 # a Go template, not shell
check "exposes 3000, /data is a volume" \
  test "$(inspect '{{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}} {{range $k, $v := .Config.Volumes}}{{$k}}{{end}}')" = '3000/tcp /data'
if podman history --no-trunc --format '{{.CreatedBy}}' "$IMAGE" | grep -Eiq '(SECRET|TOKEN|PASSWORD)=[^ ]' ||
  inspect '{{json .Config.Env}}' | grep -Eiq '(SECRET|TOKEN|PASSWORD|TWILIO)'; then
  bad "a secret is baked into the image"
else
  ok "no secret in the image's settings or history"
fi
in_image() { podman run --rm --no-healthcheck --network none --entrypoint sh "$IMAGE" -c "$1" 2>/dev/null; }
check "the program files cannot be changed by the server's user" \
  in_image '! touch /app/bin/nonmerci.js 2>/dev/null && ! touch /app/x 2>/dev/null && ! touch /app/.node-compile-cache/x 2>/dev/null'
check "/data belongs to the server's user, mode 700" \
  test "$(in_image 'stat -c "%u %a" /data')" = "${user%%:*} 700"
check "no build tools or leftovers (vite, typescript, tests)" \
  in_image '! test -e /app/node_modules/vite && ! test -e /app/node_modules/typescript && ! test -e /app/test && ! find /app/src -name "*.test.ts" | grep -q .'
check "the dashboard is built in" in_image 'test -f /app/dashboard/dist/index.html'

# ---- 3. setup.sh, then web, worker and Caddy as compose.yaml runs them ------------------------------
echo "3. setup.sh, web, worker and Caddy"
SITE="$TMP/site"
if [ "$(id -u)" = 0 ]; then
  # As an operator does: nonmerci copied by their own user (here 4242), setup.sh run with sudo.
  mkdir -p "$SITE"
  chown 4242:4242 "$SITE"
fi
deploy/setup.sh --domain "$DOMAIN" --email ops@example.org --dir "$SITE" --no-start >/dev/null
check ".env written by setup.sh is private (600)" test "$(stat -c %a "$SITE/.env")" = 600
cp -p "$SITE/.env" "$TMP/env.first"
deploy/setup.sh --domain "$DOMAIN" --email ops@example.org --dir "$SITE" --no-start >/dev/null
check "setup.sh run again keeps .env as it was" cmp -s "$SITE/.env" "$TMP/env.first"
check "setup.sh copied compose.yaml and Caddyfile.compose beside it" \
  test -f "$SITE/compose.yaml" -a -f "$SITE/Caddyfile.compose"
setting() { sed -n "s/^$1=//p" "$SITE/.env" | tail -n 1; }
ADMIN_PASSWORD=$(setting ADMIN_PASSWORD)
CLI_USER=$(setting NONMERCI_CLI_USER)
check ".env and the one-off commands belong to the folder's owner ($CLI_USER)" \
  test "$(stat -c %u:%g "$SITE/.env")" = "$CLI_USER" -a "$CLI_USER" = "$(stat -c %u:%g "$SITE")"

psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $DB_NAME" >/dev/null
sql() { psql "$DB_URL" -qAtc "$1"; }

SID="AC$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The stand-in for Twilio's API: checks Basic credentials; Messages.json keeps the messages it is
# given, answers 201 like Twilio and lists them back; the account and its one number (LINE) can
# be read, and the number's webhooks set, as `connect twilio` and `doctor` do.
cat >"$TMP/fake-twilio.cjs" <<'JS'
const http = require('node:http');
const [port, sid, token, line] = process.argv.slice(2);
const auth = 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64');
const base = `/2010-04-01/Accounts/${sid}`;
const messages = [];
const number = {
  sid: 'PN' + '0'.repeat(31) + '1',
  phone_number: line,
  friendly_name: 'Hotline',
  voice_url: 'https://demo.twilio.com/welcome/voice/',
  sms_url: '',
  status_callback: '',
  capabilities: { voice: true, sms: true, mms: false, fax: false },
};
const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
http
  .createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.headers.authorization !== auth)
      return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    const url = new URL(req.url, 'http://fake');
    const form = new URLSearchParams(body);
    if (url.pathname === `${base}/Messages.json` && req.method === 'POST') {
      const m = {
        sid: 'SM' + String(messages.length + 1).padStart(32, '0'),
        status: 'queued',
        to: form.get('To'),
        from: form.get('From'),
        body: form.get('Body'),
        num_segments: '1',
        price: null,
        date_created: new Date().toUTCString(),
      };
      messages.push(m);
      console.log(JSON.stringify({ sent: m.sid, to: m.to }));
      return json(res, 201, m);
    }
    if (url.pathname === `${base}/Messages.json` && req.method === 'GET') {
      const to = url.searchParams.get('To');
      return json(res, 200, { messages: messages.filter((m) => !to || m.to === to).reverse() });
    }
    if (url.pathname === `${base}.json`)
      return json(res, 200, { sid, friendly_name: 'Test account', status: 'active', type: 'Full' });
    if (url.pathname === `${base}/IncomingPhoneNumbers.json`)
      return json(res, 200, { incoming_phone_numbers: [number], next_page_uri: null });
    if (url.pathname === `${base}/IncomingPhoneNumbers/${number.sid}.json` && req.method === 'POST') {
      if (form.has('VoiceUrl')) number.voice_url = form.get('VoiceUrl');
      if (form.has('SmsUrl')) number.sms_url = form.get('SmsUrl');
      if (form.has('StatusCallback')) number.status_callback = form.get('StatusCallback');
      return json(res, 200, number);
    }
    json(res, 404, { code: 20404, message: 'Not found', status: 404 });
  })
  .listen(Number(port), '127.0.0.1', () => console.log('listening'));
JS
podman run -d --name "$FAKE" --network host --no-healthcheck --entrypoint node \
  -v "$TMP/fake-twilio.cjs:/fake/fake-twilio.cjs:ro,Z" "$IMAGE" \
  /fake/fake-twilio.cjs "$FAKE_PORT" "$SID" "$TOKEN" "$LINE" >/dev/null 2>>"$TMP/podman.log"

# What compose.yaml gives the nonmerci services: .env (env_file) and its environment block, with
# this machine's database, port and Twilio stand-in, and a short reply delay.
compose_env() {
  {
    grep -Ev '^(#|$)' "$SITE/.env"
    echo "DATABASE_URL=$DB_URL"
    echo "PUBLIC_URL=$PUBLIC_URL"
    echo "TRUST_PROXY=uniquelocal"
    echo "PORT=$WEB_PORT"
    echo "TWILIO_API_URL=http://127.0.0.1:$FAKE_PORT"
    echo "REPLY_DELAY=1s"
  } >"$TMP/env"
  chmod 600 "$TMP/env"
}
# compose.yaml's hardening: init, read-only root, /tmp in memory, no capabilities, no new privileges.
HARDENING=(--init --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)

wait_healthz() {
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$WEB_PORT/healthz" && return 0
    sleep 0.1
  done
  return 1
}
start_web() {
  podman run -d --name "$WEB" --network host "${HARDENING[@]}" --health-interval disable \
    --env-file "$TMP/env" "$IMAGE" serve --role web >/dev/null 2>>"$TMP/podman.log"
}
start_worker() {
  podman run -d --name "$WORKER" --network host "${HARDENING[@]}" --no-healthcheck \
    --env-file "$TMP/env" "$IMAGE" serve --role worker >/dev/null 2>>"$TMP/podman.log"
}
wait_worker() {
  for _ in $(seq 1 600); do
    podman logs "$WORKER" 2>&1 | grep -q 'nonmerci is running (worker)' && return 0
    sleep 0.1
  done
  return 1
}

# Both at once, as `docker compose up` starts them: both apply the migrations to the empty database.
compose_env
start=$(ms_now)
start_web &
start_worker &
wait
wait_healthz || die "the web process does not answer /healthz after 60 s"
START_MS=$(($(ms_now) - start))
ok "web answers /healthz $(seconds "$START_MS") after podman run (empty database: tables created)"
wait_worker || die "the worker did not start"
WORKER_MS=$(($(ms_now) - start))
ok "worker, started at the same time, running after $(seconds "$WORKER_MS")"

check "the image's health check passes (podman healthcheck run)" podman healthcheck run "$WEB"
health=$(podman inspect --format '{{.State.Health.Status}}' "$WEB" 2>/dev/null ||
  podman inspect --format '{{.State.Healthcheck.Status}}' "$WEB")
check "the web container is healthy ($health)" test "$health" = healthy
for c in "$WEB" "$WORKER"; do
  uid=$(podman exec "$c" id -u)
  check "${c#"$PREFIX"-} runs as uid $uid (not root)" test "$uid" != 0
done
check "no process of either container runs as root" \
  test "$(podman top "$WEB" user; podman top "$WORKER" user)" = "$(printf 'USER\n%s\n%s\nUSER\n%s\n%s' nonmerci nonmerci nonmerci nonmerci)"
check "ADMIN_PASSWORD from setup.sh created the dashboard user admin" \
  test "$(sql "select count(*) from users where username = 'admin' and role = 'admin'")" = 1

# Caddy with Caddyfile.compose: the same site block, a local certificate authority instead of
# Let's Encrypt, ports of its own, and this machine's web port instead of web:3000.
HTTPS=0
if command -v caddy >/dev/null; then
  sed -e "s|^\temail {\$EMAIL}\$|\temail {\$EMAIL}\n\tlocal_certs\n\tskip_install_trust\n\tadmin off\n\tauto_https disable_redirects\n\thttp_port $HTTP_PORT\n\thttps_port $TLS_PORT\n\tstorage file_system $TMP/caddy|" \
    -e "s|reverse_proxy web:3000|reverse_proxy 127.0.0.1:$WEB_PORT|" deploy/Caddyfile.compose >"$TMP/Caddyfile"
  if ! grep -q local_certs "$TMP/Caddyfile" || ! grep -q "127.0.0.1:$WEB_PORT" "$TMP/Caddyfile"; then
    die "Caddyfile.compose no longer has the shape this test adapts (email, reverse_proxy web:3000)"
  fi
  DOMAIN=$DOMAIN EMAIL=ops@example.org caddy run --config "$TMP/Caddyfile" --adapter caddyfile \
    >"$TMP/caddy.log" 2>&1 &
  CADDY_PID=$!
  CA="$TMP/caddy/pki/authorities/local/root.crt"
  HTTPS_CURL=(--resolve "$DOMAIN:$TLS_PORT:127.0.0.1" --cacert "$CA")
  for _ in $(seq 1 100); do
    [ -f "$CA" ] && curl -fs -o /dev/null "${HTTPS_CURL[@]}" "$PUBLIC_URL/healthz" && break
    sleep 0.2
  done
  if curl -fs -o /dev/null "${HTTPS_CURL[@]}" "$PUBLIC_URL/healthz"; then
    HTTPS=1
    ok "Caddy (Caddyfile.compose) serves $PUBLIC_URL/healthz over HTTPS"
    hsts=$(curl -fsI "${HTTPS_CURL[@]}" "$PUBLIC_URL/healthz" | grep -ci '^strict-transport-security' || true)
    check "Caddy adds Strict-Transport-Security" test "$hsts" = 1
    login=$(curl -s -o /dev/null -w '%{http_code}' "${HTTPS_CURL[@]}" -H 'Content-Type: application/json' \
      --data "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$PUBLIC_URL/api/login")
    check "admin signs in to the dashboard through Caddy with setup.sh's password ($login)" test "$login" = 200
  else
    bad "Caddy does not serve $PUBLIC_URL/healthz: $(tail -2 "$TMP/caddy.log")"
  fi
else
  echo "  · caddy is not installed: the HTTPS leg is skipped, requests go to the web port"
fi
if [ "$HTTPS" != 1 ]; then
  HTTPS_CURL=(--connect-to "$DOMAIN:$TLS_PORT:127.0.0.1:$WEB_PORT")
  PUBLIC_BASE="http://$DOMAIN:$TLS_PORT"
  login=$(curl -s -o /dev/null -w '%{http_code}' "${HTTPS_CURL[@]}" -H 'Content-Type: application/json' \
    --data "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$PUBLIC_BASE/api/login")
  check "admin signs in to the dashboard with setup.sh's password ($login)" test "$login" = 200
else
  PUBLIC_BASE=$PUBLIC_URL
fi

# ---- 4. connect twilio, as the cli service ----------------------------------------------------------
echo "4. connect twilio (compose's cli service)"
# compose.yaml's cli service: this folder at /config as the working folder, run as
# NONMERCI_CLI_USER (the owner of .env); the operator's Twilio credentials as typed.
cli() {
  podman run --rm --network host "${HARDENING[@]}" --no-healthcheck --env-file "$TMP/env" \
    -w /config -v "$SITE:/config:Z" --user "$CLI_USER" "$@"
}
owner_before=$(stat -c %u:%g "$SITE/.env")
secret_before=$(setting NONMERCI_SECRET)
if cli -e "TWILIO_ACCOUNT_SID=$SID" -e "TWILIO_AUTH_TOKEN=$TOKEN" "$IMAGE" \
  connect twilio --number "$LINE" >"$TMP/connect.out" 2>&1; then
  ok "connect twilio succeeded"
else
  bad "connect twilio: $(tail -5 "$TMP/connect.out")"
fi
check "it wrote TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, HOTLINE_NUMBER and PUBLIC_URL to .env" \
  test "$(setting TWILIO_ACCOUNT_SID) $(setting TWILIO_AUTH_TOKEN) $(setting HOTLINE_NUMBER) $(setting PUBLIC_URL)" = "$SID $TOKEN $LINE $PUBLIC_URL"
check ".env kept its owner ($owner_before), mode 600 and secrets" \
  test "$(stat -c '%u:%g %a' "$SITE/.env")" = "$owner_before 600" -a "$(setting NONMERCI_SECRET)" = "$secret_before"
numbers=$(curl -s -u "$SID:$TOKEN" "http://127.0.0.1:$FAKE_PORT/2010-04-01/Accounts/$SID/IncomingPhoneNumbers.json")
check "Twilio's number now sends calls and texts to $PUBLIC_URL" \
  grep -q "\"voice_url\":\"$PUBLIC_URL/webhooks/twilio/voice\",\"sms_url\":\"$PUBLIC_URL/webhooks/twilio/sms\"" <<<"$numbers"

# ---- 5. docker compose up -d --force-recreate web worker; a signed SMS, end to end ------------------
echo "5. Web and worker recreated with the new .env; a Twilio-signed SMS"
podman rm -f "$WEB" "$WORKER" >/dev/null 2>>"$TMP/podman.log"
compose_env
start=$(ms_now)
start_web
wait_healthz || die "the recreated web process does not answer /healthz"
RESTART_MS=$(($(ms_now) - start))
ok "web answers /healthz $(seconds "$RESTART_MS") after podman run (existing database)"
start_worker
wait_worker || die "the recreated worker did not start"
check "the web process created the Twilio line" \
  test "$(sql "select provider from lines where number = '$LINE'")" = twilio

MSID="SM$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BODY="ToCountry=FR&SmsMessageSid=$MSID&NumMedia=0&MessageSid=$MSID&AccountSid=$SID&From=%2B${CALLER#+}&To=%2B${LINE#+}&Body=Salut%2C+tu+fais+quoi+ce+soir+%3F&NumSegments=1&ApiVersion=2010-04-01"
URL="$PUBLIC_URL/webhooks/twilio/sms"
# Signed as Twilio does (the official package, from the image), and checked back with it.
SIGNATURE=$(podman run --rm --no-healthcheck --network none --entrypoint node "$IMAGE" -e '
  const twilio = require("twilio");
  const [token, url, body] = process.argv.slice(1);
  const params = Object.fromEntries(new URLSearchParams(body));
  const signature = twilio.getExpectedTwilioSignature(token, url, params);
  if (!twilio.validateRequest(token, signature, url, params)) process.exit(1);
  process.stdout.write(signature);' "$TOKEN" "$URL" "$BODY")
post() { # post SIGNATURE → "status content-type", body in $TMP/answer
  curl -s -o "$TMP/answer" -w '%{http_code} %{content_type}' "${HTTPS_CURL[@]}" \
    -H "X-Twilio-Signature: $1" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "$BODY" "$PUBLIC_BASE/webhooks/twilio/sms"
}
via=$([ "$HTTPS" = 1 ] && echo "through Caddy" || echo "to the web port")
answer=$(post "bm90IHRoZSBzaWduYXR1cmUgYXQgYWxsIQ==")
check "a wrong signature is refused (403), nothing recorded" \
  test "${answer%% *}" = 403 -a "$(sql "select count(*) from contacts")" = 0
answer=$(post "$SIGNATURE")
check "the signed webhook, $via, gets 200 with TwiML ($answer)" \
  test "${answer%% *}" = 200 -a "$(grep -c '<Response' "$TMP/answer")" = 1
case "$answer" in *xml*) ok "answered as XML" ;; *) bad "content type $answer is not XML" ;; esac
check "the text is recorded in PostgreSQL" \
  test "$(sql "select count(*) from contacts where provider = 'twilio' and provider_sid = '$MSID' and kind = 'text'")" = 1
state=''
for _ in $(seq 1 300); do
  state=$(sql "select r.state from replies r join contacts c on c.reply_id = r.id where c.provider_sid = '$MSID'")
  [ "$state" = sent ] && break
  sleep 0.1
done
check "the worker sent the reply (state: ${state:-none})" test "$state" = sent
sent=$(curl -s -u "$SID:$TOKEN" "http://127.0.0.1:$FAKE_PORT/2010-04-01/Accounts/$SID/Messages.json?To=%2B${CALLER#+}")
provider_sid=$(sql "select r.provider_sid from replies r join contacts c on c.reply_id = r.id where c.provider_sid = '$MSID'")
check "Twilio got exactly one SMS for the caller, the one recorded (${provider_sid:-none})" \
  test "$(grep -o '"sid"' <<<"$sent" | wc -l)" = 1 -a -n "$provider_sid" -a "$(grep -c "$provider_sid" <<<"$sent")" = 1
check "an unknown Host gets 421 on the dashboard, /healthz still answers" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: other.example.net' "http://127.0.0.1:$WEB_PORT/")$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: other.example.net' "http://127.0.0.1:$WEB_PORT/healthz")" = 421200

# ---- 6. backup and doctor, as the cli service -------------------------------------------------------
echo "6. backup and doctor (compose's cli service)"
if cli "$IMAGE" backup nonmerci-test.backup >"$TMP/backup.out" 2>&1 &&
  [ "$(stat -c '%u:%g %a' "$SITE/nonmerci-test.backup" 2>/dev/null)" = "$CLI_USER 600" ]; then
  ok "backup writes its file beside .env, the folder owner's, mode 600"
else
  bad "backup: $(tail -3 "$TMP/backup.out")"
fi
DOCTOR_ARGS=()
if [ "$HTTPS" = 1 ]; then
  # The public name leads to Caddy, whose local authority the command is told to trust.
  install -m 644 "$CA" "$TMP/caddy-root.crt"
  DOCTOR_ARGS=(--add-host "$DOMAIN:127.0.0.1" -v "$TMP/caddy-root.crt:/run/caddy-root.crt:ro,Z" -e NODE_EXTRA_CA_CERTS=/run/caddy-root.crt)
fi
cli "${DOCTOR_ARGS[@]}" "$IMAGE" doctor --json >"$TMP/doctor.json" 2>"$TMP/doctor.err" || true
failed=$(podman run --rm --no-healthcheck --network none -i --entrypoint node "$IMAGE" -e '
  let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
    try {
      const checks = JSON.parse(text).checks;
      const skip = process.argv[1] === "1" ? [] : ["public_url"];
      const failed = checks.filter((c) => !c.ok && !skip.includes(c.id));
      console.log(failed.length ? failed.map((c) => `${c.id}: ${c.message}`).join("; ") : checks.length ? `ok ${checks.filter((c) => c.ok).map((c) => c.id).join(", ")}` : "no checks");
    } catch { console.log("not JSON"); }
  });' "$HTTPS" <"$TMP/doctor.json")
if [ "${failed%% *}" = ok ]; then
  ok "doctor: every check passes (${failed#ok })$([ "$HTTPS" = 1 ] || echo '; public_url is not checked without Caddy')"
else
  bad "doctor: $failed $(head -c 300 "$TMP/doctor.err")"
fi

# ---- 7. compose.yaml --------------------------------------------------------------------------------
echo "7. deploy/compose.yaml"
if podman run --rm --no-healthcheck --network none --entrypoint node -v "$ROOT/deploy:/deploy:ro,Z" "$IMAGE" -e '
  const fs = require("node:fs");
  const YAML = require("yaml");
  const doc = YAML.parse(fs.readFileSync("/deploy/compose.yaml", "utf8"), { merge: true });
  const problems = [];
  const expect = (ok, what) => { if (!ok) problems.push(what); };
  const s = doc.services ?? {};
  for (const name of ["web", "worker", "postgres", "caddy", "cli"]) expect(s[name], `service ${name}`);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  expect(same(s.web?.command, ["serve", "--role", "web"]), "web runs serve --role web");
  expect(same(s.worker?.command, ["serve", "--role", "worker"]), "worker runs serve --role worker");
  expect(s.worker?.healthcheck?.disable === true, "worker has no HTTP health check");
  expect(!s.web?.ports && !s.worker?.ports, "nonmerci ports are not published");
  for (const name of ["web", "worker", "cli"]) {
    const x = s[name] ?? {};
    expect(x.image === s.web?.image && x.build, `${name} uses the built image`);
    expect([x.env_file].flat().includes(".env"), `${name} reads .env`);
    const env = x.environment ?? {};
    expect(/^postgres:\/\/nonmerci:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/nonmerci$/.test(env.DATABASE_URL), `${name} DATABASE_URL points at the postgres service`);
    expect(/^https:\/\/\$\{DOMAIN[:?}]/.test(env.PUBLIC_URL), `${name} PUBLIC_URL is https://DOMAIN`);
    expect(x.read_only === true && same(x.cap_drop, ["ALL"]), `${name} is read-only without capabilities`);
    expect(x.depends_on?.postgres?.condition === "service_healthy", `${name} waits for a healthy postgres`);
  }
  for (const name of ["web", "worker", "postgres", "caddy"])
    expect(s[name]?.restart === "unless-stopped", `${name} restarts`);
  expect(s.cli?.profiles?.includes("cli") && s.cli?.working_dir === "/config", "cli is a profile working in /config");
  expect((s.cli?.volumes ?? []).some((v) => String(v).startsWith("./:/config")), "cli mounts this folder at /config");
  expect(/NONMERCI_CLI_USER/.test(s.cli?.user ?? ""), "cli runs as NONMERCI_CLI_USER");
  expect(!same(s.cli?.command, ["serve"]), "cli does not serve");
  expect(String(s.postgres?.image).startsWith("postgres:"), "postgres is the official image");
  expect(JSON.stringify(s.postgres?.healthcheck?.test ?? "").includes("pg_isready"), "postgres health check");
  expect((s.postgres?.volumes ?? []).some((v) => /^postgres:\/var\/lib\/postgresql\/data$/.test(v)), "postgres keeps its data in a named volume");
  expect(String(s.caddy?.image).startsWith("caddy:"), "caddy is the official image");
  expect(["80:80", "443:443"].every((p) => (s.caddy?.ports ?? []).includes(p)), "caddy publishes 80 and 443");
  expect(s.caddy?.depends_on?.web?.condition === "service_healthy", "caddy waits for a healthy web");
  const mounts = s.caddy?.volumes ?? [];
  expect(mounts.includes("./Caddyfile.compose:/etc/caddy/Caddyfile:ro") && fs.existsSync("/deploy/Caddyfile.compose"), "caddy mounts Caddyfile.compose");
  expect(fs.readFileSync("/deploy/Caddyfile.compose", "utf8").includes("reverse_proxy web:3000"), "Caddy proxies to web:3000");
  for (const v of ["postgres", "caddy-data", "caddy-config"]) expect(v in (doc.volumes ?? {}), `volume ${v} declared`);
  const networks = Object.keys(doc.networks ?? {});
  for (const [name, x] of Object.entries(s))
    for (const n of x.networks ?? []) expect(networks.includes(n), `${name}: network ${n} declared`);
  expect(!(s.caddy?.networks ?? []).some((n) => (s.postgres?.networks ?? []).includes(n)), "caddy cannot reach postgres");
  import("/app/src/config/schema.ts").then(({ SETTINGS }) => {
    try { SETTINGS.TRUST_PROXY.parse(s.web.environment.TRUST_PROXY); }
    catch (e) { problems.push(`TRUST_PROXY: ${e.message}`); }
    if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
  });' >"$TMP/compose.out" 2>&1; then
  ok "services, commands, settings, health checks, volumes and networks as expected"
else
  bad "compose.yaml: $(tr '\n' ';' <"$TMP/compose.out")"
fi
vars=$(grep -oE '[$][{][A-Z_]+' deploy/compose.yaml | cut -c3- | sort -u | tr '\n' ' ')
missing=''
for v in $vars; do
  grep -q "^$v=" "$TMP/env.first" || grep -Eq "[$][{]$v:-" deploy/compose.yaml || missing="$missing $v"
done
check "every variable compose.yaml needs is in setup.sh's .env (${vars% })" test -z "$missing"

# ---- 8. stop -------------------------------------------------------------------------------------
echo "8. Stopping"
start=$(ms_now)
podman stop -t 30 "$WEB" "$WORKER" >/dev/null 2>>"$TMP/podman.log"
STOP_MS=$(($(ms_now) - start))
codes=$(podman inspect --format '{{.State.ExitCode}}' "$WEB" "$WORKER" | tr '\n' ' ')
check "web and worker stopped on SIGTERM in $(seconds "$STOP_MS"), exit codes ${codes% }" test "$codes" = '0 0 '

echo
echo "Figures: build $(seconds "$BUILD_MS")${NO_CACHE[*]:+ (no cache)}; image $IMAGE_MB MB ($ADDED_MB MB above the base $BASE); web ready $(seconds "$START_MS") after start on an empty database, $(seconds "$RESTART_MS") on an existing one; worker $(seconds "$WORKER_MS"); stop $(seconds "$STOP_MS")."
if [ "$FAILED" != 0 ]; then
  echo "Some checks failed." >&2
  exit 1
fi
echo "All deployment checks passed."
