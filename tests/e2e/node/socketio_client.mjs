// socket.io-client (the npm package, pinned in package.json) in Node, as a school's own code would use it:
// one page load that connects with the page's Origin, asks for a session, sends questions with customData
// and gathers the bot's replies. tests/e2e/test_clients.py runs it and checks the JSON it prints.
//
//   node socketio_client.mjs '{"url": "http://127.0.0.1:5005", "origin": "https://hillside.example",
//                              "transports": ["polling", "websocket"], "questions": ["hi"],
//                              "customData": {"school": "..."}, "sessionId": null, "expectRefused": false}'
//
// Prints one JSON object on stdout. Exits 0 when what happened is what was asked for (a conversation, or a
// refusal with expectRefused); 1 on a timeout or anything unexpected, with the reason on stderr.
import { io } from "socket.io-client";

const options = JSON.parse(process.argv[2] ?? "{}");
const WAIT_MS = options.timeoutMs ?? 30000;
const QUIET_MS = options.quietMs ?? 2000;

function fail(reason, details = {}) {
  process.stderr.write(`socketio_client: ${reason}\n`);
  process.stdout.write(JSON.stringify({ ok: false, reason, ...details }) + "\n");
  process.exit(1);
}

// Rejects after WAIT_MS: nothing here may wait for ever.
function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const socket = io(options.url, {
  path: "/socket.io/",
  transports: options.transports ?? ["polling", "websocket"],
  extraHeaders: options.origin ? { Origin: options.origin } : {},
  reconnection: false,
  timeout: WAIT_MS,
});
const seen = []; // the transports the connection used: the first, then the one it upgraded to
let upgraded = null;
socket.io.on("open", () => {
  const engine = socket.io.engine;
  seen.push(engine.transport.name);
  upgraded = new Promise((resolve) => engine.once("upgrade", (transport) => resolve(seen.push(transport.name))));
});
const said = [];
let wake = null;
socket.on("bot_uttered", (message) => {
  said.push(message);
  if (wake) wake();
});

function nextReply(waitMs) {
  if (said.length) return Promise.resolve(said.shift());
  return new Promise((resolve) => {
    const timer = setTimeout(() => { wake = null; resolve(null); }, waitMs);
    wake = () => { clearTimeout(timer); wake = null; resolve(said.shift()); };
  });
}

// The replies to one question, until the bot has been quiet for QUIET_MS.
async function ask(sessionId, text) {
  socket.emit("user_uttered", { message: text, session_id: sessionId, customData: options.customData ?? {} });
  const first = await nextReply(WAIT_MS);
  if (first === null) throw new Error(`timed out after ${WAIT_MS} ms waiting for a reply to ${JSON.stringify(text)}`);
  const replies = [first];
  for (let more = await nextReply(QUIET_MS); more !== null; more = await nextReply(QUIET_MS)) replies.push(more);
  return replies;
}

async function main() {
  const connected = await within(new Promise((resolve) => {
    socket.once("connect", () => resolve({ refused: false }));
    socket.once("connect_error", (error) => resolve({ refused: true, error: String(error.message ?? error) }));
  }), "connect");
  if (connected.refused) {
    socket.close();
    // socket.io-client's own connect timeout is no refusal: the server never answered.
    if (connected.error === "timeout") fail(`timed out after ${WAIT_MS} ms waiting for connect`);
    if (options.expectRefused) {
      process.stdout.write(JSON.stringify({ ok: true, refused: true, error: connected.error }) + "\n");
      process.exit(0);
    }
    fail(`the connection was refused: ${connected.error}`, { refused: true, error: connected.error });
  }
  if (options.expectRefused) fail("the connection was accepted, and should have been refused");
  const engine = socket.io.engine;
  const wanted = options.transports ?? ["polling", "websocket"];
  if (seen[0] === "polling" && wanted.includes("websocket")) await within(upgraded, "the upgrade to websocket");
  const confirmed = new Promise((resolve) => socket.once("session_confirm", resolve));
  socket.emit("session_request", { session_id: options.sessionId ?? null });
  const sessionId = await within(confirmed, "session_confirm");
  const answers = [];
  for (const question of options.questions ?? []) answers.push(await ask(sessionId, question));
  const result = { ok: true, refused: false, transports: seen, final_transport: engine.transport.name,
                   session_id: sessionId, answers };
  socket.close();
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

main().catch((error) => fail(String(error.message ?? error)));
