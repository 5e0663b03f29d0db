/*
 * Careers chat widget: one <script> tag adds a chat with the careers assistant to a school's page.
 *
 *   <script src="https://assistant.example/webhooks/widget/widget.js" async
 *           data-school="Hillside High School" data-counsellor-name="Ms Park"
 *           data-counsellor-email="park@hillside.example"></script>
 *
 * Plain JavaScript, no build step, no dependencies. Everything lives in a <career-chat> element
 * with its own Shadow DOM, so the school's CSS can't break it and it can't break the school's page.
 * Text from the bot and the student is only ever set with textContent (never parsed as HTML).
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !window.customElements || !HTMLElement.prototype.attachShadow) {
    return; // Very old browser or loaded as a module: do nothing rather than half-work.
  }

  var VERSION = '1';
  var TAG = 'career-chat';
  var DEFAULT_COLOR = '#005a9c';
  var REPLY_TIMEOUT_MS = 30000; // no reply by then: say so, offer Retry
  var QUIET_MS = 1500; // socket.io replies come in parts; a pause this long ends the reply
  var CONNECT_TIMEOUT_MS = 6000;
  var RETRY_SOCKET_AFTER_MS = 60000; // after a WebSocket failure, use REST this long
  var MAX_HISTORY = 200;
  var MAX_TEXT = 4000; // characters of a bot message kept for display
  // The longest message a student may type: the server's one limit (bot/sanitize.py), written in when served.
  var MAX_INPUT = parseInt('__MAX_MESSAGE_CHARS__', 10) || 1000;
  var MAX_BUTTONS = 10;
  var CITATION = /^(Source|Sources checked):/;
  var FULL_SCREEN = '(max-width: 32em), (max-height: 36em)'; // keep in step with widget.css
  var EXAMPLES = [
    'What does a sonographer do?',
    'How much do X-ray techs earn?',
    'Do I need a licence?',
    'Which jobs are in this group?'
  ];
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
    close: 'M6 6l12 12M18 6L6 18',
    restart: 'M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5',
    send: 'M4 12l16-8-6 16-2.5-6.5z'
  };

  // --- Small helpers --------------------------------------------------------------------------

  /** Creates an element with attributes and children; never sets HTML, style or event attributes. */
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') {
        el.textContent = attrs.text;
      } else if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) {
        el.setAttribute(name, attrs[name] === true ? '' : String(attrs[name]));
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        el.appendChild(child);
      }
    });
    return el;
  }

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon');
    var path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID().replace(/-/g, '');
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  function str(value, max) {
    return typeof value === 'string' ? value.slice(0, max || MAX_TEXT) : '';
  }

  /** Bot buttons from either channel (REST `buttons`, socket.io `quick_replies`), checked. */
  function cleanButtons(list) {
    if (!Array.isArray(list)) {
      return [];
    }
    return list.filter(function (b) {
      return b && typeof b.title === 'string' && typeof b.payload === 'string' && b.title && b.payload;
    }).slice(0, MAX_BUTTONS).map(function (b) {
      return { title: str(b.title, 200), payload: str(b.payload, 1000) };
    });
  }

  /** Relative luminance of an sRGB colour [r, g, b] (WCAG 2). */
  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /** A school's colour as [r, g, b], or null when it isn't an opaque CSS colour. */
  function parseColor(value) {
    if (!value || !window.CSS || !CSS.supports('color', value)) {
      return null;
    }
    var ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) {
      return null;
    }
    ctx.fillStyle = '#010203';
    ctx.fillStyle = value;
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(ctx.fillStyle);
    return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
  }

  /** The theme: the school's colour, text on it that meets AA, and a safe colour for lines on white. */
  function theme(value) {
    var rgb = parseColor(value) || parseColor(DEFAULT_COLOR);
    var hex = '#' + rgb.map(function (v) { return (v + 256).toString(16).slice(1); }).join('');
    var white = [255, 255, 255];
    var ink = [27, 31, 36];
    return {
      accent: hex,
      onAccent: contrast(rgb, white) >= contrast(rgb, ink) ? '#ffffff' : '#1b1f24',
      strong: contrast(rgb, white) >= 4.5 ? hex : '#1b1f24'
    };
  }

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // blocked (privacy settings, sandboxed frame): the chat still works, unsaved
    }
  }

  // --- Transport: socket.io by hand over a WebSocket, else REST ---------------------------------

  /**
   * Engine.IO v4 / Socket.IO v5 over one WebSocket, just what the Rasa socketio channel needs:
   * connect, session_request -> session_confirm, user_uttered out, bot_uttered in, ping/pong.
   */
  function SocketIO(server, sessionId, onEvent, onClose) {
    this.url = server.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
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
              resolve();
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
    this.mode = 'none';
  }

  Transport.prototype.start = function (sessionId) {
    if (sessionId !== this.sessionId) {
      this.stop();
      this.sessionId = sessionId;
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
    var attempt = socket.open(CONNECT_TIMEOUT_MS).then(function () {
      if (self.connecting !== attempt) { // started over meanwhile: this socket is for the old session
        socket.close();
        return self.connect();
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
    var sessionId = this.sessionId;
    return this.connect().then(function (mode) {
      if (sessionId !== self.sessionId) {
        throw new Error('the conversation was started over');
      }
      if (mode === 'socket' && self.socket && self.socket.isOpen()) {
        self.socket.emit('user_uttered', { message: text, session_id: sessionId, metadata: metadata });
        return 'socket';
      }
      return self.rest(text, metadata, sessionId);
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

  // --- The element ------------------------------------------------------------------------------

  class CareerChat extends HTMLElement {}

  CareerChat.prototype.connectedCallback = function () {
    if (this.built) {
      return;
    }
    this.built = true;
    this.config = readConfig(this);
    this.storeKey = 'career-chat:v' + VERSION + ':' + this.config.server;
    this.state = this.load();
    this.replyTimer = null;
    this.burstTimer = null;
    this.burst = false;
    this.errorKind = null;
    this.transport = new Transport(this.config.server, this.receive.bind(this));
    this.build();
  };

  CareerChat.prototype.disconnectedCallback = function () {
    if (this.transport) {
      this.transport.stop();
    }
  };

  function readConfig(el) {
    function attr(name) {
      return (el.getAttribute(name) || '').trim();
    }
    var position = attr('position');
    var school = attr('school').slice(0, 100);
    var server = httpUrl(attr('server')) || location.origin;
    return {
      server: server,
      assets: (httpUrl(attr('assets')) || server + '/webhooks/widget') + '/',
      school: school,
      greeting: attr('greeting').slice(0, 500) || (school
        ? 'Hi! I\'m the careers helper for ' + school + '. Ask me about jobs in medical imaging, '
          + 'like X-ray, ultrasound or MRI: what they do, pay, training and licences.'
        : 'Hi! I\'m a careers helper. Ask me about jobs in medical imaging, like X-ray, ultrasound '
          + 'or MRI: what they do, pay, training and licences.'),
      counsellorName: attr('counsellor-name').slice(0, 100),
      counsellorEmail: attr('counsellor-email').slice(0, 200),
      counsellorPhone: attr('counsellor-phone').slice(0, 40),
      color: attr('color'),
      position: ['bottom-left', 'inline'].indexOf(position) >= 0 ? position : 'bottom-right',
      open: attr('open') === 'true'
    };
  }

  // Conversation state, kept per tab so a reload (or the next page of the school's site) goes on.
  CareerChat.prototype.load = function () {
    var saved = null;
    var store = storage();
    try {
      saved = store && JSON.parse(store.getItem(this.storeKey) || 'null');
    } catch (e) {
      saved = null;
    }
    var ok = saved && typeof saved.sender === 'string' && /^[a-f0-9]{32}$/.test(saved.sender);
    return {
      sender: ok ? saved.sender : randomId(),
      messages: ok && Array.isArray(saved.messages) ? saved.messages.filter(validMessage).slice(-MAX_HISTORY) : [],
      open: ok && typeof saved.open === 'boolean' ? saved.open : null
    };
  };

  /** An http(s) URL without its trailing slash, or '' (no javascript:, data: or other schemes). */
  function httpUrl(value) {
    if (!value) {
      return '';
    }
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === 'http:' || url.protocol === 'https:' ? (url.origin + url.pathname).replace(/\/+$/, '') : '';
    } catch (e) {
      return '';
    }
  }

  function validMessage(m) {
    return m && (m.role === 'user' || m.role === 'bot') && typeof m.text === 'string';
  }

  CareerChat.prototype.save = function () {
    var store = storage();
    if (!store) {
      return;
    }
    try {
      store.setItem(this.storeKey, JSON.stringify({
        sender: this.state.sender,
        messages: this.state.messages.slice(-MAX_HISTORY),
        open: this.state.open
      }));
    } catch (e) { /* full or blocked: keep going without saving */ }
  };

  CareerChat.prototype.build = function () {
    var cfg = this.config;
    var colors = theme(cfg.color);
    // CSSOM, not a style attribute: allowed by a strict style-src.
    this.style.setProperty('--cc-accent', colors.accent);
    this.style.setProperty('--cc-on-accent', colors.onAccent);
    this.style.setProperty('--cc-accent-strong', colors.strong);

    var root = this.attachShadow({ mode: 'open' });
    var inline = cfg.position === 'inline';
    var label = cfg.school ? 'Careers chat, ' + cfg.school : 'Careers chat';

    var stylesheet = h('link', { rel: 'stylesheet', href: cfg.assets + 'widget.css' });
    this.launcher = inline ? null : h('button', {
      type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'panel'
    }, [icon('chat'), h('span', { class: 'launcher-text', text: 'Careers chat' })]);

    this.restartButton = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Start over',
      title: 'Start over' }, [icon('restart')]);
    this.closeButton = inline ? null : h('button', { type: 'button', class: 'icon-button',
      'aria-label': 'Close chat', title: 'Close chat' }, [icon('close')]);
    var header = h('div', { class: 'header' }, [
      h('div', { class: 'titles' }, [
        h('h2', { class: 'title', id: 'title', text: 'Careers chat' }),
        cfg.school ? h('p', { class: 'school', text: cfg.school }) : null
      ]),
      this.restartButton,
      this.closeButton
    ]);

    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-label': 'Conversation', tabindex: '0' });
    this.typing = h('div', { class: 'typing', role: 'status' });
    this.errorBox = h('div', { class: 'error-box', 'aria-live': 'polite' });

    this.input = h('input', { type: 'text', id: 'input', class: 'input', autocomplete: 'off',
      enterkeyhint: 'send', maxlength: String(MAX_INPUT), placeholder: 'Ask about a career…', 'aria-describedby': 'hint' });
    this.sendButton = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send' }, [icon('send')]);
    this.form = h('form', { class: 'composer', novalidate: true }, [
      h('label', { for: 'input', class: 'visually-hidden', text: 'Your question' }),
      this.input,
      this.sendButton
    ]);
    var hint = h('p', { id: 'hint', class: 'hint', text: 'Answers come from two published sources. '
      + 'For advice about you, talk to your counsellor.' });

    this.panel = h('section', {
      id: 'panel', class: 'panel', role: inline ? 'region' : 'dialog', 'aria-label': label,
      hidden: !inline
    }, [header, this.log, this.typing, this.errorBox, this.form, hint]);

    this.wrapper = h('div', { class: 'root', 'data-position': cfg.position, hidden: true },
      [this.launcher, this.panel]);
    root.appendChild(stylesheet);
    root.appendChild(this.wrapper);

    // Show nothing until the stylesheet is in (no flash of unstyled chat); unstyled beats nothing.
    var shown = false;
    var self = this;
    function show() {
      if (!shown) {
        shown = true;
        self.wrapper.hidden = false;
        self.setAttribute('ready', '');
        if (window.performance && performance.mark) {
          performance.mark('career-chat:ready');
        }
        self.dispatchEvent(new CustomEvent('career-chat:ready', { bubbles: true, composed: true }));
      }
    }
    stylesheet.addEventListener('load', show);
    stylesheet.addEventListener('error', show);
    setTimeout(show, 5000);

    this.bind();
    this.renderAll();
    var open = inline || (this.state.open === null ? cfg.open : this.state.open);
    if (open) {
      this.open(false);
    }
  };

  CareerChat.prototype.bind = function () {
    var self = this;
    if (this.launcher) {
      this.launcher.addEventListener('click', function () {
        if (self.panel.hidden) {
          self.open(true);
        } else {
          self.close();
        }
      });
    }
    if (this.closeButton) {
      this.closeButton.addEventListener('click', function () { self.close(); });
    }
    this.restartButton.addEventListener('click', function () { self.restart(); });
    this.form.addEventListener('submit', function (event) {
      event.preventDefault();
      self.sendTyped();
    });
    this.panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && self.launcher && !event.isComposing) {
        event.preventDefault();
        self.close();
      } else if (event.key === 'Tab' && self.covers()) {
        self.keepFocusInside(event);
      }
    });
    // Full screen (phones, 200% zoom) the panel hides the page, so it acts as a modal dialog.
    this.fullScreen = window.matchMedia(FULL_SCREEN);
    var update = function () {
      if (self.launcher) {
        self.panel.setAttribute('aria-modal', self.covers() ? 'true' : 'false');
      }
    };
    if (this.fullScreen.addEventListener) {
      this.fullScreen.addEventListener('change', update);
    }
    update();
  };

  CareerChat.prototype.covers = function () {
    return Boolean(this.launcher && this.fullScreen && this.fullScreen.matches);
  };

  /** Tab from the last control goes to the first and back, never to the page under the panel. */
  CareerChat.prototype.keepFocusInside = function (event) {
    var controls = Array.prototype.filter.call(
      this.panel.querySelectorAll('button, input, a[href], [tabindex="0"]'),
      function (el) { return !el.disabled && el.getClientRects().length > 0; }
    );
    if (!controls.length) {
      return;
    }
    var first = controls[0];
    var last = controls[controls.length - 1];
    var active = this.shadowRoot.activeElement;
    if (event.shiftKey && (active === first || !this.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };

  CareerChat.prototype.open = function (moveFocus) {
    this.panel.hidden = false;
    this.wrapper.classList.add('is-open');
    if (this.launcher) {
      this.launcher.setAttribute('aria-expanded', 'true');
      this.launcher.classList.remove('has-unread');
      this.launcher.removeAttribute('aria-label');
    }
    this.state.open = true;
    this.save();
    this.scrollDown();
    if (moveFocus) {
      this.input.focus();
    }
    this.transport.start(this.state.sender); // connect now, so the first answer comes sooner
  };

  CareerChat.prototype.close = function () {
    if (!this.launcher) {
      return;
    }
    this.panel.hidden = true;
    this.wrapper.classList.remove('is-open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this.state.open = false;
    this.save();
    this.launcher.focus();
  };

  CareerChat.prototype.restart = function () {
    this.state.sender = randomId();
    this.state.messages = [];
    this.save();
    this.stopTyping();
    this.burst = false;
    this.clearError();
    this.transport.start(this.state.sender);
    this.renderAll();
    this.typing.textContent = 'Started a new conversation.';
    this.input.focus();
  };

  CareerChat.prototype.metadata = function () {
    return {
      school: this.config.school,
      counsellor_name: this.config.counsellorName,
      counsellor_email: this.config.counsellorEmail,
      counsellor_phone: this.config.counsellorPhone
    };
  };

  CareerChat.prototype.sendTyped = function () {
    var text = this.input.value.trim();
    if (!text) {
      this.input.focus();
      return;
    }
    this.input.value = '';
    this.send(text, text, true);
  };

  /** Sends `message`, showing `shown` as the student's words (a button's title for its payload). */
  CareerChat.prototype.send = function (message, shown, typed) {
    this.clearError();
    this.removeChoices();
    var entry = { role: 'user', text: shown };
    this.add(entry);
    this.deliver(message, entry, typed);
  };

  CareerChat.prototype.deliver = function (message, entry, typed) {
    var self = this;
    this.startTurn(message, entry, typed);
    this.transport.send(message, this.metadata()).catch(function () {
      self.undelivered(message, entry, typed);
    });
  };

  /** Not delivered: take the message back, keep the student's words in the box, offer Retry. */
  CareerChat.prototype.undelivered = function (message, entry, typed) {
    var self = this;
    var i = this.state.messages.lastIndexOf(entry);
    if (i >= 0) {
      this.state.messages.splice(i, 1);
      this.save();
    }
    if (entry.node && entry.node.parentNode) {
      entry.node.parentNode.removeChild(entry.node);
    }
    if (!this.state.messages.length) {
      this.renderAll(); // back to the empty screen, examples included
    }
    this.stopTyping();
    if (typed && !this.input.value) {
      this.input.value = message;
    }
    this.showError('Sorry, I can\'t reach the careers assistant right now. Check your connection and try again.',
      function () {
        if (typed) {
          self.sendTyped();
        } else {
          self.send(message, entry.text, false);
        }
      }, 'offline');
  };

  // The typing indicator: on while waiting; off at the first part of the reply, or after
  // REPLY_TIMEOUT_MS with a Retry that sends the same message again over a fresh connection.
  CareerChat.prototype.startTurn = function (message, entry, typed) {
    var self = this;
    this.burst = false;
    this.typing.classList.add('is-typing');
    this.typing.replaceChildren(
      h('span', { class: 'dots', 'aria-hidden': 'true' }, [h('span'), h('span'), h('span')]),
      h('span', { class: 'visually-hidden', text: 'The assistant is typing…' })
    );
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(function () {
      self.stopTyping();
      self.showError('The assistant is taking too long to answer. Please try again.', function () {
        self.transport.stop();
        self.deliver(message, entry, typed);
      }, 'timeout');
    }, REPLY_TIMEOUT_MS);
  };

  CareerChat.prototype.stopTyping = function () {
    clearTimeout(this.replyTimer);
    this.typing.classList.remove('is-typing');
    this.typing.replaceChildren();
  };

  /**
   * One part of a bot reply (socket.io sends each paragraph as its own event; REST replies are
   * split the same way). A "Source:" part goes under the answer that came just before it in the
   * same burst of parts, so the citation is shown apart from the answer but with it.
   */
  CareerChat.prototype.receive = function (part) {
    var self = this;
    this.stopTyping();
    if (this.errorKind === 'timeout') {
      this.clearError(); // late, but here
    }
    var inBurst = this.burst;
    this.burst = true;
    clearTimeout(this.burstTimer);
    this.burstTimer = setTimeout(function () { self.burst = false; }, QUIET_MS);

    var text = part.text.trim();
    var citation = CITATION.test(text);
    var last = this.state.messages[this.state.messages.length - 1];
    if (citation && inBurst && last && last.role === 'bot' && !last.source && last.node) {
      last.source = text;
      last.node.firstChild.appendChild(this.renderSource(text));
      if (part.buttons.length) {
        last.buttons = part.buttons;
        last.node.appendChild(this.renderButtons(part.buttons));
      }
      this.save();
      this.scrollDown();
      return;
    }
    if (!text && !part.buttons.length) {
      return;
    }
    this.add(citation ? { role: 'bot', text: '', source: text, buttons: part.buttons }
      : { role: 'bot', text: text, buttons: part.buttons });
    if (this.panel.hidden && this.launcher) {
      this.launcher.classList.add('has-unread');
      this.launcher.setAttribute('aria-label', 'Careers chat, new reply');
    }
  };

  CareerChat.prototype.add = function (message) {
    this.state.messages.push(message);
    if (this.state.messages.length > MAX_HISTORY) {
      this.state.messages.splice(0, this.state.messages.length - MAX_HISTORY);
    }
    this.save();
    if (this.welcome) {
      this.welcome.parentNode.removeChild(this.welcome);
      this.welcome = null;
    }
    this.log.appendChild(this.render(message, true));
    this.scrollDown();
  };

  CareerChat.prototype.renderAll = function () {
    this.log.replaceChildren();
    this.welcome = null;
    var messages = this.state.messages;
    var lastUser = -1;
    messages.forEach(function (m, i) {
      if (m.role === 'user') {
        lastUser = i;
      }
    });
    this.log.appendChild(this.renderGreeting(messages.length === 0));
    var self = this;
    messages.forEach(function (m, i) {
      self.log.appendChild(self.render(m, i > lastUser)); // only the latest suggestions still apply
    });
    this.scrollDown();
  };

  CareerChat.prototype.renderGreeting = function (withExamples) {
    var self = this;
    var block = h('div', { class: 'message bot' }, [
      h('div', { class: 'bubble' }, [
        h('span', { class: 'visually-hidden', text: 'Assistant: ' }),
        h('p', { class: 'text', text: this.config.greeting })
      ])
    ]);
    if (!withExamples) {
      return block;
    }
    var list = h('ul', { class: 'examples', 'aria-label': 'Example questions' });
    EXAMPLES.forEach(function (q) {
      var button = h('button', { type: 'button', class: 'choice', text: q });
      button.addEventListener('click', function () {
        self.input.focus(); // before the list goes, so focus never drops to the page
        self.send(q, q, false);
      });
      list.appendChild(h('li', {}, [button]));
    });
    this.welcome = h('div', { class: 'welcome' }, [h('p', { class: 'examples-label', text: 'Try asking:' }), list]);
    var frag = document.createDocumentFragment();
    frag.appendChild(block);
    frag.appendChild(this.welcome);
    return frag;
  };

  CareerChat.prototype.render = function (message, withButtons) {
    var who = message.role === 'user' ? 'You' : 'Assistant';
    var bubble = h('div', { class: 'bubble' }, [h('span', { class: 'visually-hidden', text: who + ': ' })]);
    if (message.text) {
      var text = h('p', { class: 'text' });
      appendLinked(text, message.text, message.role === 'bot');
      bubble.appendChild(text);
    }
    if (message.source) {
      bubble.appendChild(this.renderSource(message.source));
    }
    var node = h('div', { class: 'message ' + message.role }, [bubble]);
    if (!message.text && !message.source) {
      bubble.hidden = true; // buttons only
    }
    var buttons = cleanButtons(message.buttons);
    if (withButtons && buttons.length) {
      node.appendChild(this.renderButtons(buttons));
    }
    Object.defineProperty(message, 'node', { value: node, configurable: true, enumerable: false });
    return node;
  };

  CareerChat.prototype.renderSource = function (text) {
    var source = h('p', { class: 'source' });
    appendLinked(source, text, true);
    return source;
  };

  CareerChat.prototype.renderButtons = function (buttons) {
    var self = this;
    var group = h('div', { class: 'choices', role: 'group', 'aria-label': 'Suggested replies' });
    cleanButtons(buttons).forEach(function (b) {
      var button = h('button', { type: 'button', class: 'choice', text: b.title });
      button.addEventListener('click', function () {
        self.input.focus(); // before the buttons go, so focus never drops to the page
        self.send(b.payload, b.title, false);
      });
      group.appendChild(button);
    });
    return group;
  };

  /** Old suggestions go once the student says something new (they answered the old question). */
  CareerChat.prototype.removeChoices = function () {
    Array.prototype.forEach.call(this.log.querySelectorAll('.choices'), function (el) {
      el.parentNode.removeChild(el);
    });
  };

  CareerChat.prototype.scrollDown = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  CareerChat.prototype.showError = function (text, retry, kind) {
    var self = this;
    var button = h('button', { type: 'button', class: 'retry', text: 'Retry' });
    button.addEventListener('click', function () {
      self.input.focus(); // before the button goes, so focus never drops to the page
      self.clearError();
      retry();
    });
    this.errorKind = kind;
    this.errorBox.replaceChildren(h('div', { class: 'error' }, [h('p', { text: text }), button]));
  };

  CareerChat.prototype.clearError = function () {
    this.errorKind = null;
    this.errorBox.replaceChildren();
  };

  /** Text with http(s) URLs as links (when `links`); everything else stays plain text. */
  function appendLinked(parent, text, links) {
    var pattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;
    var at = 0;
    var match;
    while (links && (match = pattern.exec(text)) !== null) {
      var raw = match[0];
      while (/[.,;:!?)\]}]$/.test(raw) && !(raw.slice(-1) === ')' && raw.indexOf('(') >= 0)) {
        raw = raw.slice(0, -1);
      }
      var url = null;
      try {
        url = new URL(raw);
      } catch (e) {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        continue;
      }
      parent.appendChild(document.createTextNode(text.slice(at, match.index)));
      parent.appendChild(h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', text: raw }));
      at = match.index + raw.length;
      pattern.lastIndex = at;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  // --- Start: one element, configured from this script tag ---------------------------------------

  if (!customElements.get(TAG)) {
    customElements.define(TAG, CareerChat);
  }

  var data = script.dataset;
  var scriptUrl = new URL(script.src, document.baseURI);
  var element = document.createElement(TAG);
  var settings = {
    server: data.server || scriptUrl.origin,
    assets: new URL('./', scriptUrl).href,
    school: data.school,
    greeting: data.greeting,
    'counsellor-name': data.counsellorName,
    'counsellor-email': data.counsellorEmail,
    'counsellor-phone': data.counsellorPhone,
    color: data.color,
    position: data.position,
    open: data.open
  };
  Object.keys(settings).forEach(function (name) {
    if (settings[name]) {
      element.setAttribute(name, settings[name]);
    }
  });

  function mount() {
    if (data.position === 'inline') {
      var id = (data.target || 'career-chat').replace(/^#/, '');
      var target = document.getElementById(id);
      if (target) {
        target.appendChild(element);
        return;
      }
      element.setAttribute('position', 'bottom-right');
      if (window.console) {
        console.warn('career-chat: no element with id "' + id + '"; showing the chat in the corner.');
      }
    }
    document.body.appendChild(element);
  }

  if (document.body && (data.position !== 'inline' || document.readyState !== 'loading')) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount);
  }
}());
