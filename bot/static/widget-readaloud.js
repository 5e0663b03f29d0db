// Read aloud: the browser's own speech synthesis reads an answer; nothing is sent to the server.
// The button is made only where the browser has speechSynthesis (widget-messages.js asks).

/** Reads the answer aloud in the browser, its source line too (as shown); pressed again, stops. */
conversation.renderReadAloud = function (message) {
  var self = this;
  var name = this.words.readAloud;
  var button = h('button', { type: 'button', class: 'icon-button read', 'aria-pressed': 'false',
    'aria-label': name, title: name }, [icon('speaker')]);
  button.addEventListener('click', function () {
    var again = self.reading && self.reading.button === button;
    self.stopReading();
    if (!again) {
      self.readAloud(button, message);
    }
  });
  return button;
};

// Line by line: a pause at each line of a list, and none so long that a voice cuts it off (some of
// Chrome's do after 15 s). The voice speaks the chat's language; the page's variant of it (en-GB, es-MX)
// picks the accent.
conversation.readAloud = function (button, message) {
  var self = this;
  var lang = document.documentElement.lang;
  var chat = this.config.lang;
  var reading = this.reading = { button: button };
  var lines = ['', message.text, message.source].join('\n').split(/\s*\n[\s•]*/).filter(Boolean); // no "bullet"s
  speechSynthesis.cancel(); // whatever was queued before
  button.setAttribute('aria-pressed', 'true');
  lines.forEach(function (line, i) {
    var utterance = new SpeechSynthesisUtterance(line);
    utterance.lang = lang.toLowerCase().indexOf(chat + '-') === 0 ? lang : chat;
    utterance.onerror = utterance.onend = function (event) {
      if (self.reading === reading && (event.type === 'error' || i === lines.length - 1)) {
        self.stopReading();
      }
    };
    speechSynthesis.speak(utterance);
  });
};

conversation.stopReading = function () {
  if (this.reading) {
    this.reading.button.setAttribute('aria-pressed', 'false');
    this.reading = null;
    speechSynthesis.cancel();
  }
};
