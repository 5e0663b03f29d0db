#!/usr/bin/env bash
# Start the action server and the Rasa server, wait until both answer, print how to talk to
# the assistant, and stop both on Ctrl-C. `make run` calls this after setting everything up.
#
# Both run under a supervisor (deploy/run_local.py, deploy/supervise.py), each in its own process
# group: when one exits or is killed, the other keeps running, and the supervisor starts the one
# that stopped again after 1 s, then 2, 4 ... up to 30 s if it keeps stopping (1 s again once it
# has stayed up a minute), and says why on this terminal and in its log. While the action server
# is down (about 2 s), the Rasa server still answers every student politely ("Sorry, I'm having
# trouble answering right now...", bot/input.py). While the Rasa server restarts (it loads the
# model again: about 7 s on 2 cores), nothing can answer: students' messages fail to connect
# (the widget keeps the message and offers Retry: "Sorry, I can't reach the careers assistant
# right now...").
# Ctrl-C, SIGTERM or SIGHUP stop both (SIGTERM, then SIGKILL after 20 s).
#
# Settings (environment):
#   RASA_HOST, RASA_PORT        where the Rasa server listens (127.0.0.1, 5005)
#   ACTION_HOST, ACTION_PORT    where the action server listens (127.0.0.1, 5055)
#   SCHOOLS_FILE                the schools this server serves (schools.example.yml): the origins of
#                               their pages, their counsellors. Every other page is refused.
#   CORS_ORIGINS                without SCHOOLS_FILE: space-separated origins allowed to call the server
#                               from a browser (default: the server's own origin only; never "*")
#   TRACKER_STORE_URL           SQLAlchemy URL of the conversation store (store/url.py: build/tracker.db)
#   KNOWLEDGE_DB_URL            SQLAlchemy URL of the knowledge base (sqlite:///build/knowledge.db)
#   SCHOOL_NAME, COUNSELLOR_NAME, COUNSELLOR_EMAIL, COUNSELLOR_PHONE   the handoff's default contact
#   INSIGHTS_MIN_STUDENTS, INSIGHTS_SECRET, INSIGHTS_TOKEN_SHA256, SCHOOL_TIMEZONE   the insights
#                               page (docs/deploy.md has every setting)
#   MODEL                       the model file (models/current.tar.gz)
#   SANIC_WORKERS               Rasa server processes (1). More than one needs Redis for the lock
#                               store and the shared rate limit: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD
#                               (127.0.0.1, 6379, none; REDIS_URL then carries the same password),
#                               and uses endpoints.redis.yml.
#   SANIC_BACKLOG               the Rasa server's listen backlog (1024; Rasa's own default is 100,
#                               which a class connecting at once overflows; the kernel caps it at
#                               /proc/sys/net/core/somaxconn)
#   START_TIMEOUT               seconds each server may take to answer at start (240)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
RASA_HOST=${RASA_HOST:-127.0.0.1}
RASA_PORT=${RASA_PORT:-5005}
ACTION_HOST=${ACTION_HOST:-127.0.0.1}
ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/current.tar.gz}
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${RASA_PORT} http://127.0.0.1:${RASA_PORT}"}
if [ -n "${SCHOOLS_FILE:-}" ]; then  # the schools' pages, and only they, may call the server
  "$BIN/python" -m schools "$SCHOOLS_FILE" >/dev/null || exit 1
  CORS_ORIGINS=$("$BIN/python" -m schools --origins "$SCHOOLS_FILE")
fi
export CORS_ORIGINS  # the channels check every request's Origin against the same list (schools/)
"$BIN/python" -m insights.page || exit 1  # a wrong INSIGHTS_* setting: one line, not a traceback in rasa.log
LOG_DIR=${LOG_DIR:-build/logs}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://${ACTION_HOST}:${ACTION_PORT}/webhook}
TRACKER_STORE_URL=$("$BIN/python" -m store.url)  # as set, else the one default (store/url.py)
export TRACKER_STORE_URL
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export SANIC_HOST=$ACTION_HOST
export SANIC_BACKLOG=${SANIC_BACKLOG:-1024}  # rasa/core/run.py: the Rasa server's listen backlog

ENDPOINTS=endpoints.yml
if [ "${SANIC_WORKERS:-1}" -gt 1 ]; then
  export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_PASSWORD=${REDIS_PASSWORD:-}
  export REDIS_URL=${REDIS_URL:-redis://${REDIS_HOST}:${REDIS_PORT}/0}
  ENDPOINTS=endpoints.redis.yml
  REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || {
    echo "SANIC_WORKERS=$SANIC_WORKERS needs Redis at $REDIS_HOST:$REDIS_PORT (apt-get install redis-server)." >&2
    exit 1
  }
fi

mkdir -p "$LOG_DIR" build
[ -f "$MODEL" ] || { echo "No model at $MODEL: run 'make train' first." >&2; exit 1; }

# What the supervisor prints once both servers answer (@SECONDS@: seconds since this script started).
READY_MESSAGE=$(cat <<EOF
The assistant is ready (@SECONDS@ s).
  Demo page:      http://${RASA_HOST}:${RASA_PORT}/webhooks/widget/demo.html
  Widget script:  http://${RASA_HOST}:${RASA_PORT}/webhooks/widget/widget.js   (see README: For counsellors)
  Insights page:  http://${RASA_HOST}:${RASA_PORT}/webhooks/insights/   (a school's token signs in; docs/deploy.md)
  Rasa server:    http://${RASA_HOST}:${RASA_PORT}   (REST: /webhooks/rest/webhook, socket.io: /socket.io)
  Action server:  http://${ACTION_HOST}:${ACTION_PORT}
  Logs:           ${LOG_DIR}/rasa.log, ${LOG_DIR}/actions.log
Try it:
  curl -s -X POST http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook \\
       -H 'Content-Type: application/json' \\
       -d '{"sender": "student-1", "message": "what does a sonographer do"}'
Press Ctrl-C to stop both servers.
EOF
)

echo "Starting the action server and the Rasa server (about 20 s)..."
# The supervisor (deploy/run_local.py, with deploy/command.py's command lines, every starter's) runs
# `$BIN/python -m actions --port $ACTION_PORT`, then `$BIN/rasa run --model $MODEL
# --endpoints $ENDPOINTS --credentials credentials.yml --interface $RASA_HOST --port $RASA_PORT`
# (no --cors: the channels answer CORS for the schools' origins themselves), into
# $LOG_DIR/actions.log and $LOG_DIR/rasa.log; it waits for /health and
# /webhooks/health/ (the model loaded), prints READY_MESSAGE, and keeps both running.
export RASA_HOST RASA_PORT ACTION_HOST ACTION_PORT MODEL ENDPOINTS LOG_DIR READY_MESSAGE
export SERVE_SECONDS=$SECONDS
exec "$BIN/python" -m deploy.run_local
