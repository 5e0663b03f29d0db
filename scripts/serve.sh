#!/usr/bin/env bash
# Start the action server and the Rasa server, wait until both answer, print how to talk to
# the assistant, and stop both on Ctrl-C. `make run` calls this after setting everything up.
#
# Settings (environment):
#   RASA_HOST, RASA_PORT        where the Rasa server listens (127.0.0.1, 5005)
#   ACTION_HOST, ACTION_PORT    where the action server listens (127.0.0.1, 5055)
#   SCHOOLS_FILE                the schools this server serves (schools.example.yml): the origins of
#                               their pages, their counsellors. Every other page is refused.
#   CORS_ORIGINS                without SCHOOLS_FILE: space-separated origins allowed to call the server
#                               from a browser (default: the server's own origin only; never "*")
#   TRACKER_STORE_URL           SQLAlchemy URL of the conversation store (sqlite:///build/tracker.db)
#   KNOWLEDGE_DB_URL            SQLAlchemy URL of the knowledge base (sqlite:///build/knowledge.db)
#   SCHOOL_NAME, COUNSELLOR_NAME, COUNSELLOR_EMAIL, COUNSELLOR_PHONE   the handoff's default contact
#   INSIGHTS_MIN_STUDENTS, INSIGHTS_SECRET, INSIGHTS_TOKEN_SHA256, SCHOOL_TIMEZONE   the insights
#                               page (docs/deploy.md has every setting)
#   MODEL                       the model file (models/current.tar.gz)
#   SANIC_WORKERS               Rasa server processes (1). More than one needs Redis for the lock
#                               store and the shared rate limit: REDIS_HOST, REDIS_PORT
#                               (127.0.0.1, 6379), and uses endpoints.redis.yml.
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
  "$BIN/python" -m bot.schools "$SCHOOLS_FILE" >/dev/null || exit 1
  CORS_ORIGINS=$("$BIN/python" -m bot.schools --origins "$SCHOOLS_FILE")
fi
export CORS_ORIGINS  # the channels check every request's Origin against the same list (bot/schools.py)
"$BIN/python" -m insights.page || exit 1  # a wrong INSIGHTS_* setting: one line, not a traceback in rasa.log
LOG_DIR=${LOG_DIR:-build/logs}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://${ACTION_HOST}:${ACTION_PORT}/webhook}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-sqlite:///build/tracker.db}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export SANIC_HOST=$ACTION_HOST

ENDPOINTS=endpoints.yml
if [ "${SANIC_WORKERS:-1}" -gt 1 ]; then
  export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
  export REDIS_URL=${REDIS_URL:-redis://${REDIS_HOST}:${REDIS_PORT}/0}
  ENDPOINTS=endpoints.redis.yml
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || {
    echo "SANIC_WORKERS=$SANIC_WORKERS needs Redis at $REDIS_HOST:$REDIS_PORT (apt-get install redis-server)." >&2
    exit 1
  }
fi

mkdir -p "$LOG_DIR" build
[ -f "$MODEL" ] || { echo "No model at $MODEL: run 'make train' first." >&2; exit 1; }

pids=()
stop() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo "Stopping the assistant..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/python" -m actions --port "$ACTION_PORT" >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)
# shellcheck disable=SC2086  # CORS_ORIGINS is a list of words
"$BIN/rasa" run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" --cors $CORS_ORIGINS >"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)

wait_for() {  # name url log pid
  local deadline=$((SECONDS + ${START_TIMEOUT:-240}))
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    if ! kill -0 "$4" 2>/dev/null; then
      echo "The $1 stopped while starting. Last lines of $3:" >&2
      tail -n 20 "$3" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "The $1 did not answer within ${START_TIMEOUT:-240} s; see $3." >&2
      exit 1
    fi
    if [ "$SECONDS" -gt 0 ] && [ $(( SECONDS % 10 )) -eq 0 ]; then echo "  ... still starting the $1 (${SECONDS} s)"; fi
    sleep 1
  done
}
echo "Starting the action server and the Rasa server (about 20 s)..."
wait_for "action server" "http://${ACTION_HOST}:${ACTION_PORT}/health" "$LOG_DIR/actions.log" "${pids[0]}"
wait_for "Rasa server" "http://${RASA_HOST}:${RASA_PORT}/" "$LOG_DIR/rasa.log" "${pids[1]}"

cat <<EOF
The assistant is ready (${SECONDS} s).
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

# Stop everything as soon as either server exits.
wait -n "${pids[@]}" || true
echo "A server stopped; see ${LOG_DIR}." >&2
exit 1
