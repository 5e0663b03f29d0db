/*
 * Careers chat widget, part 4 of 4 (see widget-base.js): the view, and the start.
 *
 * The <career-chat> element: its Shadow DOM, settings read from its attributes, the conversation
 * kept per tab, the launcher and panel, keyboard (Escape, Tab kept inside when full screen) and
 * screen-reader behaviour. Its conversation methods come from widget-messages.js (`conversation`);
 * it talks to the server only through a `Transport` (widget-transport.js).
 */

// --- The element ------------------------------------------------------------------------------

class CareerChat extends HTMLElement {}

Object.assign(CareerChat.prototype, conversation);

CareerChat.prototype.connectedCallback = function () {
  if (this.built) {
    return;
  }
  this.built = true;
  this.config = readConfig(this);
  this.words = WORDS[this.config.lang];
  this.storeKey = 'career-chat:v' + VERSION + ':' + this.config.server;
  this.state = this.load();
  this.replyTimer = null;
  this.burstTimer = null;
  this.burst = false;
  this.errorKind = null;
  this.transport = new Transport(this.config.server, this.receive.bind(this));
  this.transport.onSession = function (id) { // the old id was another connection's: go on in ours
    this.state.sender = id;
    this.state.key = null;
    this.save();
    this.showSummaryLink();
    this.ensureKey();
  }.bind(this);
  this.build();
};

CareerChat.prototype.disconnectedCallback = function () {
  if (this.transport) {
    this.transport.stop();
  }
  this.stopReading();
};

function readConfig(el) {
  function attr(name) {
    return (el.getAttribute(name) || '').trim();
  }
  var position = attr('position');
  var school = attr('school').slice(0, 100);
  var server = httpUrl(attr('server')) || location.origin;
  var lang = pickLang(attr('lang'), document.documentElement.lang);
  return {
    server: server,
    assets: (httpUrl(attr('assets')) || server + '/webhooks/widget') + '/',
    school: school,
    lang: lang,
    greeting: attr('greeting').slice(0, 500) || (school ? fill(WORDS[lang].greetingOf, school) : WORDS[lang].greeting),
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
    open: ok && typeof saved.open === 'boolean' ? saved.open : null,
    key: ok && validKey(saved.key, saved.sender) ? saved.key : null
  };
};

/** A summary key as ensureKey keeps it: for this conversation, with its times. */
function validKey(key, sender) {
  return Boolean(key && typeof key.key === 'string' && SUMMARY_KEY.test(key.key) && key.sender === sender
    && typeof key.until === 'number' && typeof key.renew === 'number');
}

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
      open: this.state.open,
      key: this.state.key
    }));
  } catch (e) { /* full or blocked: keep going without saving */ }
};

CareerChat.prototype.build = function () {
  var cfg = this.config;
  var w = this.words;
  var colors = theme(cfg.color);
  this.setAttribute('lang', cfg.lang); // so that a screen reader reads the words in their language
  // CSSOM, not a style attribute: allowed by a strict style-src.
  this.style.setProperty('--cc-accent', colors.accent);
  this.style.setProperty('--cc-on-accent', colors.onAccent);
  this.style.setProperty('--cc-accent-strong', colors.strong);

  var root = this.attachShadow({ mode: 'open' });
  var inline = cfg.position === 'inline';
  var label = cfg.school ? fill(w.chatOf, cfg.school) : w.chat;

  var stylesheet = h('link', { rel: 'stylesheet', href: cfg.assets + 'widget.css' });
  this.launcher = inline ? null : h('button', {
    type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'panel'
  }, [icon('chat'), h('span', { class: 'launcher-text', text: w.chat })]);

  this.restartButton = h('button', { type: 'button', class: 'icon-button', 'aria-label': w.startOver,
    title: w.startOver }, [icon('restart')]);
  this.closeButton = inline ? null : h('button', { type: 'button', class: 'icon-button',
    'aria-label': w.close, title: w.close }, [icon('close')]);
  var header = h('div', { class: 'header' }, [
    h('div', { class: 'titles' }, [
      h('h2', { class: 'title', id: 'title', text: w.chat }),
      cfg.school ? h('p', { class: 'school', text: cfg.school }) : null
    ]),
    this.restartButton,
    this.closeButton
  ]);

  this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
    'aria-label': w.conversation, tabindex: '0' });
  this.typing = h('div', { class: 'typing', role: 'status' });
  this.errorBox = h('div', { class: 'error-box', 'aria-live': 'polite' });

  this.input = h('input', { type: 'text', id: 'input', class: 'input', autocomplete: 'off',
    enterkeyhint: 'send', maxlength: String(MAX_INPUT), placeholder: w.placeholder, 'aria-describedby': 'hint' });
  this.sendButton = h('button', { type: 'submit', class: 'send', 'aria-label': w.send }, [icon('send')]);
  this.form = h('form', { class: 'composer', novalidate: true }, [
    h('label', { for: 'input', class: 'visually-hidden', text: w.question }),
    this.input,
    this.sendButton
  ]);
  var hint = h('p', { id: 'hint', class: 'hint', text: w.hint });
  // A link, not a button: it opens the summary page (bot/summary.py) in a new tab, with this chat's key.
  this.summaryLink = h('a', { class: 'summary-link', target: '_blank', rel: 'noopener noreferrer', hidden: true,
    text: w.summary });

  this.panel = h('section', {
    id: 'panel', class: 'panel', role: inline ? 'region' : 'dialog', 'aria-label': label,
    hidden: !inline
  }, [header, this.log, this.typing, this.errorBox, this.form,
    h('div', { class: 'footer' }, [hint, this.summaryLink])]);

  this.wrapper = h('div', { class: 'root', lang: cfg.lang, 'data-position': cfg.position, hidden: true },
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
  this.showSummaryLink();
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
  this.ensureKey();
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
  this.stopReading();
  this.launcher.focus();
};

CareerChat.prototype.restart = function () {
  this.state.sender = randomId();
  this.state.messages = [];
  this.state.key = null;
  this.save();
  this.stopReading();
  this.showSummaryLink();
  this.ensureKey();
  this.stopTyping();
  this.burst = false;
  this.clearError();
  this.transport.start(this.state.sender);
  this.renderAll();
  this.typing.textContent = this.words.restarted;
  this.input.focus();
};

// --- Start: one element, configured from this script tag ---------------------------------------

var script = document.currentScript;
if (script && window.customElements && HTMLElement.prototype.attachShadow) {
  start(script);
} // else a very old browser, or loaded as a module: do nothing rather than half-work.

function start(script) {
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
    lang: pickLang(data.lang, document.documentElement.lang),
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
}
