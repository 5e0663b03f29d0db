/*
 * Careers chat widget, part 3 of 4 (see widget-base.js): the conversation in the element.
 *
 * Adds one name, `conversation`: methods that widget-view.js copies onto the <career-chat> element,
 * so `this` is the element. They send the student's messages through `this.transport` (see
 * widget-transport.js), take the bot's replies from it (`receive`), and render both into the log.
 * The element's state and its parts (log, input, typing, errorBox, panel, launcher) come from
 * widget-view.js; the helpers from widget-base.js.
 */

var conversation = {};

// `lang`: the page's language, in which the server begins the conversation (the student may go on in another).
conversation.metadata = function () {
  return {
    lang: this.config.lang,
    school: this.config.school,
    counsellor_name: this.config.counsellorName,
    counsellor_email: this.config.counsellorEmail,
    counsellor_phone: this.config.counsellorPhone
  };
};

conversation.sendTyped = function () {
  var text = this.input.value.trim();
  if (!text) {
    this.input.focus();
    return;
  }
  this.input.value = '';
  this.send(text, text, true);
};

/** Sends `message`, showing `shown` as the student's words (a button's title for its payload). */
conversation.send = function (message, shown, typed) {
  this.clearError();
  this.removeChoices();
  var entry = { role: 'user', text: shown };
  this.add(entry);
  this.deliver(message, entry, typed);
};

conversation.deliver = function (message, entry, typed) {
  var self = this;
  this.startTurn(message, entry, typed);
  // A conversation's first message waits (a little) for its summary key: once it is stored, none is given.
  var keyed = this.keyPending ? Promise.race([this.keyPending, new Promise(function (resolve) {
    setTimeout(resolve, KEY_WAIT_MS);
  })]) : Promise.resolve();
  keyed.then(function () {
    return self.transport.send(message, self.metadata());
  }).then(function () {
    self.ensureKey(); // trades a key getting old for a fresh one while the student chats
  }, function () {
    self.undelivered(message, entry, typed);
  });
};

/**
 * The key of the conversation's summary page (bot/summary_page.py). The server gives one only while
 * nothing is stored for the conversation, so it is asked for as the conversation begins, kept with it
 * in this tab, and traded for a fresh one when half its time is gone. Never rejects: without a key
 * the "Summary for my counsellor" link stays hidden.
 */
conversation.ensureKey = function () {
  var self = this;
  var sender = this.state.sender;
  var key = this.state.key;
  var now = Date.now() / 1000;
  var mine = key && key.sender === sender && key.until > now;
  if (mine && key.renew > now) {
    return Promise.resolve();
  }
  if (this.keyPending && this.keyFor === sender) {
    return this.keyPending;
  }
  var begun = this.state.messages.some(function (m) { return m.role === 'user'; });
  if (!mine && begun) {
    return Promise.resolve(); // begun without a key (an older widget's chat): the server would refuse
  }
  var pending = this.transport.summaryKey(mine ? { key: key.key } : { sender: sender }).then(function (found) {
    if (self.state.sender === sender) {
      var got = Date.now() / 1000;
      var seconds = Math.max(60, Math.min(found.seconds || 3600, found.expires - got + 60));
      self.state.key = { key: found.key, sender: sender, until: got + seconds - 60, renew: got + seconds / 2 };
      self.save();
      self.showSummaryLink();
    }
  }, function () { /* refused or unreachable: the link stays as it was */ }).then(function () {
    if (self.keyPending === pending) {
      self.keyPending = null;
    }
  });
  this.keyPending = pending;
  this.keyFor = sender;
  return pending;
};

conversation.showSummaryLink = function () {
  var key = this.state.key;
  var ok = Boolean(key && key.sender === this.state.sender && key.until > Date.now() / 1000);
  this.summaryLink.hidden = !ok;
  if (ok) {
    this.summaryLink.setAttribute('href', this.config.server + '/webhooks/summary/?key=' + encodeURIComponent(key.key)
      + '&lang=' + this.config.lang); // the page's words in the chat's language
  } else {
    this.summaryLink.removeAttribute('href');
  }
};

/** Not delivered: take the message back, keep the student's words in the box, offer Retry. */
conversation.undelivered = function (message, entry, typed) {
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
  this.showError(this.words.offline, function () {
    if (typed) {
      self.sendTyped();
    } else {
      self.send(message, entry.text, false);
    }
  }, 'offline');
};

// The typing indicator: on while waiting; off at the first part of the reply, or after
// REPLY_TIMEOUT_MS with a Retry that sends the same message again over a fresh connection.
conversation.startTurn = function (message, entry, typed) {
  var self = this;
  this.burst = false;
  this.typing.classList.add('is-typing');
  this.typing.replaceChildren(
    h('span', { class: 'dots', 'aria-hidden': 'true' }, [h('span'), h('span'), h('span')]),
    h('span', { class: 'visually-hidden', text: this.words.typing })
  );
  clearTimeout(this.replyTimer);
  this.replyTimer = setTimeout(function () {
    self.stopTyping();
    self.showError(self.words.slow, function () {
      self.transport.stop();
      self.deliver(message, entry, typed);
    }, 'timeout');
  }, REPLY_TIMEOUT_MS);
};

conversation.stopTyping = function () {
  clearTimeout(this.replyTimer);
  this.typing.classList.remove('is-typing');
  this.typing.replaceChildren();
};

/**
 * One part of a bot reply (socket.io sends each paragraph as its own event; REST replies are
 * split the same way). A "Source:" part goes under the answer that came just before it in the
 * same burst of parts, so the citation is shown apart from the answer but with it.
 */
conversation.receive = function (part) {
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
    this.launcher.setAttribute('aria-label', this.words.newReply);
  }
};

conversation.add = function (message) {
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

conversation.renderAll = function () {
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

conversation.renderGreeting = function (withExamples) {
  var self = this;
  var block = h('div', { class: 'message bot' }, [
    h('div', { class: 'bubble' }, [
      h('span', { class: 'visually-hidden', text: this.words.assistant + ': ' }),
      h('p', { class: 'text', text: this.config.greeting })
    ])
  ]);
  if (!withExamples) {
    return block;
  }
  var list = h('ul', { class: 'examples', 'aria-label': this.words.examplesLabel });
  this.words.examples.forEach(function (q) {
    var button = h('button', { type: 'button', class: 'choice', text: q });
    button.addEventListener('click', function () {
      self.input.focus(); // before the list goes, so focus never drops to the page
      self.send(q, q, false);
    });
    list.appendChild(h('li', {}, [button]));
  });
  this.welcome = h('div', { class: 'welcome' }, [h('p', { class: 'examples-label', text: this.words.tryAsking }), list]);
  var frag = document.createDocumentFragment();
  frag.appendChild(block);
  frag.appendChild(this.welcome);
  return frag;
};

conversation.render = function (message, withButtons) {
  var who = message.role === 'user' ? this.words.you : this.words.assistant;
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
  } else if (SPEECH && message.role === 'bot') {
    node.appendChild(this.renderReadAloud(message));
  }
  var buttons = cleanButtons(message.buttons);
  if (withButtons && buttons.length) {
    node.appendChild(this.renderButtons(buttons));
  }
  Object.defineProperty(message, 'node', { value: node, configurable: true, enumerable: false });
  return node;
};

conversation.renderSource = function (text) {
  var source = h('p', { class: 'source' });
  appendLinked(source, text, true);
  return source;
};

conversation.renderButtons = function (buttons) {
  var self = this;
  var group = h('div', { class: 'choices', role: 'group', 'aria-label': this.words.suggested });
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
conversation.removeChoices = function () {
  Array.prototype.forEach.call(this.log.querySelectorAll('.choices'), function (el) {
    el.parentNode.removeChild(el);
  });
};

conversation.scrollDown = function () {
  this.log.scrollTop = this.log.scrollHeight;
};

conversation.showError = function (text, retry, kind) {
  var self = this;
  var button = h('button', { type: 'button', class: 'retry', text: this.words.retry });
  button.addEventListener('click', function () {
    self.input.focus(); // before the button goes, so focus never drops to the page
    self.clearError();
    retry();
  });
  this.errorKind = kind;
  this.errorBox.replaceChildren(h('div', { class: 'error' }, [h('p', { text: text }), button]));
};

conversation.clearError = function () {
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
