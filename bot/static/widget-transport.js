/*
 * Careers chat widget, part 2 of 4 (see widget-base.js): the transport.
 *
 * Adds one name, `Transport`; the rest of this file is private to it. The view uses only:
 *   var transport = new Transport(server, onMessage);  // onMessage({text, buttons}), one part at a time
 *   transport.start(sessionId)      connect now (or again, for a new conversation); resolves 'socket' or 'rest'
 *   transport.send(text, metadata)  resolves when delivered, rejects when not (then nothing was said)
 *   transport.stop()                close the connection (the next send or start connects again)
 *   transport.mode                  'none', 'socket' or 'rest' (read by the browser tests)
 *   transport.onSession = fn(id)    the server gave this conversation another id (its old one was
 *                                   held by another connection): keep the new one
 *   transport.summaryKey(body)      the key of the conversation's summary page: {sender} for a conversation
 *                                   that has not begun, {key} to trade a good key for a fresh one;
 *                                   resolves {key, expires, seconds}, rejects when refused or unreachable
 * From widget-base.js it uses str, cleanButtons and REPLY_TIMEOUT_MS.
 */

var Transport = (function () {
  var CONNECT_TIMEOUT_MS = 6000;
  var SESSION_ID = /^[a-f0-9]{32}$/; // what randomId() and the server's new ids look like
  var RETRY_SOCKET_AFTER_MS = 60000; // after a WebSocket failure, use REST this long

  // --- Transport: socket.io by hand over a WebSocket, else REST ---------------------------------

  /**
   * Engine.IO v4 / Socket.IO v5 over one WebSocket, just what the Rasa socketio channel needs:
   * connect, session_request -> session_confirm, user_uttered out, bot_uttered in, ping/pong.
   */
  function SocketIO(server, sessionId, onEvent, onClose) {
    // `cid`: a proxy in front of several Rasa servers hashes on it (deploy/nginx), so that a client that
    // polls reaches the one process that holds its session; this WebSocket needs it only for balance.
    // A random key for this connection, never the session id: a URL ends up in logs, and whoever has
    // a session id could ask for that conversation.
    this.url = server.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket&cid=' + randomId();
    this.sessionId = sessionId;
    this.onEvent = onEvent;
    this.onClose = onClose;
    this.ws = null;
    this.ready = false;
    this.heartbeat = null;
  }

  SocketIO.prototype.open = function (timeoutMs) {
    var self = this;
    return new Promise(function (resolve, reject) {
      var settled = false;
      var timer = setTimeout(function () { fail(new Error('socket.io: timed out')); }, timeoutMs);
      function fail(err) {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          self.close();
          reject(err);
        }
      }
      var ws;
      try {
        ws = new WebSocket(self.url);
      } catch (err) {
        fail(err);
        return;
      }
      self.ws = ws;
      var pingWindow = 45000;
      ws.onmessage = function (event) {
        if (typeof event.data !== 'string' || ws !== self.ws) {
          return;
        }
        var data = event.data;
        var type = data.charAt(0);
        self.beat(pingWindow);
        if (type === '0') { // Engine.IO open
          try {
            var open = JSON.parse(data.slice(1));
            pingWindow = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
          } catch (e) { /* keep the default window */ }
          ws.send('40');
        } else if (type === '2') { // ping: answer at once or the server drops us
          ws.send('3' + data.slice(1));
        } else if (type === '1') {
          self.close();
        } else if (type === '4') {
          var sio = data.charAt(1);
          if (sio === '0') { // connected to the namespace
            self.emit('session_request', { session_id: self.sessionId });
          } else if (sio === '2') {
            var body = data.slice(2).replace(/^\d+/, '');
            var packet;
            try {
              packet = JSON.parse(body);
            } catch (e) {
              return;
            }
            if (!Array.isArray(packet) || typeof packet[0] !== 'string') {
              return;
            }
            if (packet[0] === 'session_confirm' && !settled) {
              settled = true;
              clearTimeout(timer);
              self.ready = true;
              if (typeof packet[1] === 'string' && SESSION_ID.test(packet[1])) {
                self.sessionId = packet[1];
              }
              resolve(self.sessionId);
            } else {
              self.onEvent(packet[0], packet[1]);
            }
          } else if (sio === '1' || sio === '4') { // disconnected or refused
            fail(new Error('socket.io: refused'));
            self.close();
          }
        }
      };
      ws.onerror = function () { fail(new Error('socket.io: cannot connect')); };
      ws.onclose = function () {
        if (ws !== self.ws) {
          return;
        }
        var wasReady = self.ready;
        self.close();
        if (!settled) {
          fail(new Error('socket.io: closed'));
        } else if (wasReady) {
          self.onClose();
        }
      };
    });
  };

  /** No packet (the server pings every 25 s) within ping interval + timeout: the link is dead. */
  SocketIO.prototype.beat = function (windowMs) {
    var self = this;
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(function () { self.close(); }, windowMs);
  };

  SocketIO.prototype.emit = function (event, data) {
    this.ws.send('42' + JSON.stringify([event, data]));
  };

  SocketIO.prototype.isOpen = function () {
    return this.ready && this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  };

  SocketIO.prototype.close = function () {
    clearTimeout(this.heartbeat);
    var ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch (e) { /* already closed */ }
    }
  };

  /**
   * Talks to the Rasa server: socket.io when a WebSocket connects, else REST. Bot messages go to
   * onMessage({text, buttons}) one part at a time, the same shape from both channels.
   */
  function Transport(server, onMessage) {
    this.server = server;
    this.onMessage = onMessage;
    this.socket = null;
    this.connecting = null;
    this.socketFailedAt = -Infinity;
    this.sessionId = null;
    this.generation = 0; // one more for each conversation started; not for an id the server gave
    this.mode = 'none';
    this.onSession = null;
  }

  Transport.prototype.start = function (sessionId) {
    if (sessionId !== this.sessionId) {
      this.stop();
      this.sessionId = sessionId;
      this.generation += 1;
    }
    return this.connect();
  };

  Transport.prototype.stop = function () {
    if (this.socket) {
      this.socket.close();
    }
    this.socket = null;
    this.connecting = null;
    this.mode = 'none';
  };

  /** Resolves to 'socket' or 'rest'; never rejects (REST is checked when a message is sent). */
  Transport.prototype.connect = function () {
    var self = this;
    if (this.socket && this.socket.isOpen()) {
      return Promise.resolve('socket');
    }
    if (this.connecting) {
      return this.connecting;
    }
    if (Date.now() - this.socketFailedAt < RETRY_SOCKET_AFTER_MS) {
      this.mode = 'rest';
      return Promise.resolve('rest');
    }
    var socket = new SocketIO(this.server, this.sessionId, function (event, data) {
      if (event === 'bot_uttered' && data && typeof data === 'object') {
        self.onMessage({ text: str(data.text), buttons: cleanButtons(data.quick_replies || data.buttons) });
      }
    }, function () {
      if (self.socket === socket) {
        self.socket = null;
      }
    });
    var attempt = socket.open(CONNECT_TIMEOUT_MS).then(function (confirmed) {
      if (self.connecting !== attempt) { // started over meanwhile: this socket is for the old session
        socket.close();
        return self.connect();
      }
      if (confirmed !== self.sessionId) {
        self.sessionId = confirmed;
        if (self.onSession) {
          self.onSession(confirmed);
        }
      }
      self.connecting = null;
      self.socket = socket;
      self.mode = 'socket';
      return 'socket';
    }, function () {
      if (self.connecting !== attempt) {
        return self.connect();
      }
      self.connecting = null;
      self.socketFailedAt = Date.now();
      self.mode = 'rest';
      return 'rest';
    });
    this.connecting = attempt;
    return this.connecting;
  };

  /** Sends one message; rejects when it could not be delivered (then nothing was said). */
  Transport.prototype.send = function (text, metadata) {
    var self = this;
    var generation = this.generation;
    return this.connect().then(function (mode) {
      if (generation !== self.generation) {
        throw new Error('the conversation was started over');
      }
      if (mode === 'socket' && self.socket && self.socket.isOpen()) {
        self.socket.emit('user_uttered', { message: text, session_id: self.sessionId, metadata: metadata });
        return 'socket';
      }
      return self.rest(text, metadata, self.sessionId);
    });
  };

  Transport.prototype.rest = function (text, metadata, sessionId) {
    var self = this;
    var abort = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (abort) {
        abort.abort(); // after the view's own "taking too long" (REPLY_TIMEOUT_MS): give up
      }
    }, REPLY_TIMEOUT_MS + 5000);
    return fetch(this.server + '/webhooks/rest/webhook', {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: sessionId, message: text, metadata: metadata }),
      signal: abort ? abort.signal : undefined
    }).then(function (response) {
      // 429 (too fast) and 503 (conversation store down) carry a polite reply to show.
      if (!response.ok && response.status !== 429 && response.status !== 503) {
        throw new Error('REST: HTTP ' + response.status);
      }
      return response.json();
    }).then(function (messages) {
      clearTimeout(timer);
      if (sessionId !== self.sessionId) {
        return 'rest'; // started over meanwhile: the old conversation's answer is not shown
      }
      (Array.isArray(messages) ? messages : []).forEach(function (m) {
        if (!m || typeof m !== 'object') {
          return;
        }
        // Split like the socketio channel does, so both channels render the same.
        var parts = str(m.text).trim().split(/\n{2,}/).filter(Boolean);
        var buttons = cleanButtons(m.buttons || m.quick_replies);
        if (!parts.length && buttons.length) {
          parts = [''];
        }
        parts.forEach(function (part, i) {
          self.onMessage({ text: part, buttons: i === parts.length - 1 ? buttons : [] });
        });
      });
      return 'rest';
    }, function (err) {
      clearTimeout(timer);
      throw err;
    });
  };

  Transport.prototype.summaryKey = function (body) {
    return fetch(this.server + '/webhooks/summary/key', {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('summary key: HTTP ' + response.status);
      }
      return response.json();
    }).then(function (data) {
      if (!data || !SUMMARY_KEY.test(str(data.key, 400)) || typeof data.expires !== 'number') {
        throw new Error('summary key: malformed');
      }
      return { key: data.key, expires: data.expires, seconds: typeof data.seconds === 'number' ? data.seconds : 0 };
    });
  };

  return Transport;
}());
