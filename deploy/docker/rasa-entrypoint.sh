#!/usr/bin/env bash
# Start one Rasa server the way scripts/serve.sh does, for a container or a systemd unit: check the
# settings first (each wrong one stops the start with one sentence, not a traceback), then exec
# `python -m deploy.command`, which builds the `rasa run` command line as every other starter does
# (deploy/command.py) and execs it in turn, so that Rasa keeps this process and gets the signals.
# No --cors: Rasa's would answer CORS for every route, the insights page's too; the channels answer
# it themselves for the schools' origins.
#
# Run from the project directory (the image's WORKDIR /app, the unit's WorkingDirectory), or set
# APP_DIR: SpacyNLP loads build/spacy_pipeline relative to it. `python` and `rasa` come from PATH.
#
# Settings (environment; docs/deploy.md has every setting the server itself reads):
#   RASA_INTERFACE, RASA_PORT   where the server listens (0.0.0.0, 5005)
#   MODEL                       the model (models/current.tar.gz)
#   ENDPOINTS                   endpoints.redis.yml (Redis lock store: replicas) or endpoints.yml (one process)
#   SCHOOLS_FILE                the schools this server serves; the channels allow their origins only
#   CORS_ORIGINS                without SCHOOLS_FILE only: space-separated origins (read by the channels)
#   ACTION_ENDPOINT_URL, TRACKER_STORE_URL, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD   used by the
#                               endpoints file (REDIS_PASSWORD may be empty: a Redis without one)
#   REDIS_URL                   the shared rate limit: redis://:PASSWORD@host:port/0
#   INSIGHTS_SECRET             the same on every replica (at least 32 characters)
#
# Arguments: options (starting with -) are added to `rasa run`; anything else is run instead of the
# server, e.g. `python -m store.purge --days 30` in the same image with the same settings.
set -euo pipefail

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec "$@"
fi

cd "${APP_DIR:-.}"
RASA_INTERFACE=${RASA_INTERFACE:-0.0.0.0}
RASA_PORT=${RASA_PORT:-5005}
MODEL=${MODEL:-models/current.tar.gz}
ENDPOINTS=${ENDPOINTS:-endpoints.redis.yml}

fail() {
  echo "Rasa server not started: $*" >&2
  exit 1
}

[ -f "$MODEL" ] || fail "no model at $MODEL (the image trains one; on a machine: make train)."
[ -f build/spacy_pipeline/meta.json ] || fail "no spaCy pipeline in $(pwd)/build/spacy_pipeline (python -m knowledge.spacy_pipeline)."
if [ -z "${KNOWLEDGE_DB_URL:-}" ] && [ ! -f build/knowledge.db ]; then
  fail "no knowledge base at $(pwd)/build/knowledge.db (python -m knowledge.build)."
fi
[ -f "$ENDPOINTS" ] || fail "no endpoints file $ENDPOINTS."
[ -f credentials.yml ] || fail "no credentials.yml in $(pwd)."

# Rasa replaces ${NAME} in the endpoints file and stops with a stack trace on an unset one.
required="ACTION_ENDPOINT_URL TRACKER_STORE_URL"
if grep -q 'REDIS_HOST' "$ENDPOINTS"; then
  required="$required REDIS_HOST REDIS_PORT"
fi
for name in $required; do
  [ -n "${!name:-}" ] || fail "$name is not set ($ENDPOINTS uses it)."
done
# shellcheck disable=SC2016  # the literal ${REDIS_PASSWORD}, as the endpoints file writes it
if grep -qF '${REDIS_PASSWORD}' "$ENDPOINTS" && [ -z "${REDIS_PASSWORD+set}" ]; then
  fail "REDIS_PASSWORD is not set ($ENDPOINTS uses it; empty for a Redis without a password)."
fi
# The rate limiter would fail to authenticate and count in each process alone, without a word.
if [ -n "${REDIS_PASSWORD:-}" ] && [ -n "${REDIS_URL:-}" ] && [[ "$REDIS_URL" != *@* ]]; then
  fail "REDIS_URL has no password, but Redis needs REDIS_PASSWORD: redis://:PASSWORD@host:port/0."
fi

if [ -n "${SCHOOLS_FILE:-}" ]; then  # the schools' pages, and only they, may call the server
  python -m schools "$SCHOOLS_FILE" >/dev/null || exit 1  # it names the school and the field
elif [[ ! "${CORS_ORIGINS:-}" =~ [^[:space:]] ]]; then
  fail "set SCHOOLS_FILE (the schools this server serves) or CORS_ORIGINS (the origins of the pages)."
fi

python -m insights.page || exit 1  # a wrong INSIGHTS_* setting: one sentence
for name in INSIGHTS_SECRET TRACKER_STORE_URL REDIS_PASSWORD; do  # the example files' values are no secrets
  value=${!name:-}
  case "${value,,}" in
    *replace* | *placeholder*) fail "$name is still the example's placeholder: set a real one." ;;
  esac
done
if [ -z "${INSIGHTS_SECRET:-}" ] && [ -z "${INSIGHTS_SECRET_FILE:-}" ] && [ ! -w build ]; then
  # Without either, the page keeps a random key in build/insights.secret, which must be writable
  # (and shared by every replica: set INSIGHTS_SECRET when there are several).
  fail "set INSIGHTS_SECRET (at least 32 characters, the same on every replica): $(pwd)/build is read-only."
fi

export RASA_TELEMETRY_ENABLED=${RASA_TELEMETRY_ENABLED:-false}
export SQLALCHEMY_SILENCE_UBER_WARNING=${SQLALCHEMY_SILENCE_UBER_WARNING:-1}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

exec python -m deploy.command --model "$MODEL" --endpoints "$ENDPOINTS" \
  --interface "$RASA_INTERFACE" --port "$RASA_PORT" -- "$@"
