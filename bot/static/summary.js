/*
 * The summary page's two buttons (bot/summary.py): Copy puts the summary as plain text on the clipboard
 * (navigator.clipboard, else a selection copied with execCommand, else the summary selected for Ctrl+C),
 * and Print opens the browser's print dialog (the print stylesheet hides the buttons). Without script the
 * buttons stay hidden and the page still reads and prints. The key leaves the address bar at once, so a
 * shared computer's next user finds no key in the page's address (the history keeps the page without it).
 * Its two messages are in the page's language (<html lang>, set by bot/summary.py): English or Spanish.
 */
(function () {
  'use strict';
  var WORDS = {
    en: {
      copied: 'Copied. Paste it into an email or a document for your counsellor.',
      selected: 'The summary is selected: press Ctrl+C (or Command+C on a Mac) to copy it.'
    },
    es: {
      copied: 'Copiado. Pégalo en un correo o en un documento para tu consejero o consejera.',
      selected: 'El resumen está seleccionado: presiona Ctrl+C (o Comando+C en una Mac) para copiarlo.'
    }
  };
  var words = WORDS[document.documentElement.lang] || WORDS.en;
  if (window.history && history.replaceState && location.search) {
    history.replaceState(null, '', location.pathname);
  }
  var tools = document.querySelector('.tools');
  var status = document.getElementById('status');
  var main = document.querySelector('main');
  if (!tools || !status || !main) {
    return;
  }
  tools.hidden = false;

  function say(text) {
    status.textContent = '';
    setTimeout(function () { status.textContent = text; }, 50); // read again even when it is the same text
  }

  function plainText() {
    tools.hidden = true; // innerText leaves out what is not shown: the buttons are not part of the summary
    var text = main.innerText;
    tools.hidden = false;
    return text.replace(/\n{3,}/g, '\n\n').trim() + '\n';
  }

  function copyBySelection(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    var done = false;
    try {
      done = document.execCommand('copy');
    } catch (e) {
      done = false;
    }
    document.body.removeChild(area);
    return done;
  }

  function copied(ok) {
    if (ok) {
      say(words.copied);
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(main);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    say(words.selected);
  }

  document.getElementById('copy').addEventListener('click', function () {
    var text = plainText();
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(true); },
        function () { copied(copyBySelection(text)); });
    } else {
      copied(copyBySelection(text));
    }
  });

  document.getElementById('print').addEventListener('click', function () {
    window.print();
  });
}());
