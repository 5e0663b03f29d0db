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
 *
 * The script is kept in five parts, served as one widget.js (bot/channels.py, in this order, inside
 * one function, so they share these names and add none to the page's window):
 *   widget-base.js       settings, the words in English and Spanish, and small helpers
 *   widget-transport.js  `Transport`: socket.io over a WebSocket, else REST (the only name it adds)
 *   widget-messages.js   the element's conversation: send, receive, render messages and errors
 *   widget-readaloud.js  reading an answer aloud with the browser's speech synthesis
 *   widget-view.js       the <career-chat> element (DOM, keyboard, focus, screen readers) and the start
 * This part: settings, words and helpers.
 */

var VERSION = '1';
var TAG = 'career-chat';
var DEFAULT_COLOR = '#005a9c';
var REPLY_TIMEOUT_MS = 30000; // no reply by then: say so, offer Retry
var QUIET_MS = 1500; // socket.io replies come in parts; a pause this long ends the reply
var MAX_HISTORY = 200;
var MAX_TEXT = 4000; // characters of a bot message kept for display
// The longest message a student may type: the server's one limit (bot/sanitize.py), written in when served.
var MAX_INPUT = parseInt('__MAX_MESSAGE_CHARS__', 10) || 1000;
var MAX_BUTTONS = 10;
// A bot message's citation part, in either language (the server's source lines, actions/).
var CITATION = /^(Sources?|Sources checked|Fuentes?|Fuentes consultadas):/;
// The summary page's key (bot/keys.py): the sender id in base64url, the expiry, the signature.
var SUMMARY_KEY = /^[A-Za-z0-9_-]{1,200}\.\d{1,12}\.[A-Za-z0-9_-]{43}$/;
var KEY_WAIT_MS = 3000; // the first message waits this long at most for its conversation's key
var FULL_SCREEN = '(max-width: 32em), (max-height: 36em)'; // keep in step with widget.css
// Answers are read aloud by the browser's own speech synthesis (nothing is sent); without it, no button.
var SPEECH = 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window;
// Every word the widget shows or gives a screen reader, in each language it speaks ({school}: the school's
// name). Spanish: neutral Latin American, "tú". Both tables have the same keys (tests/unit/bot/test_channels.py).
var WORDS = {
  en: {
    chat: 'Careers chat',
    chatOf: 'Careers chat, {school}',
    newReply: 'Careers chat, new reply',
    greeting: 'Hi! I\'m a careers helper. Ask me about jobs in medical imaging, like X-ray, ultrasound or MRI: '
      + 'what they do, pay, training and licences.',
    greetingOf: 'Hi! I\'m the careers helper for {school}. Ask me about jobs in medical imaging, like X-ray, '
      + 'ultrasound or MRI: what they do, pay, training and licences.',
    tryAsking: 'Try asking:',
    examplesLabel: 'Example questions',
    examples: ['What does a sonographer do?', 'How much do X-ray techs earn?', 'Do I need a licence?',
      'Which jobs are in this group?'],
    startOver: 'Start over',
    restarted: 'Started a new conversation.',
    close: 'Close chat',
    conversation: 'Conversation',
    question: 'Your question',
    placeholder: 'Ask about a career…',
    send: 'Send',
    hint: 'Answers come from two published sources. For advice about you, talk to your counsellor.',
    summary: 'Summary for my counsellor',
    you: 'You',
    assistant: 'Assistant',
    typing: 'The assistant is typing…',
    suggested: 'Suggested replies',
    readAloud: 'Read this answer aloud',
    offline: 'Sorry, I can\'t reach the careers assistant right now. Check your connection and try again.',
    slow: 'The assistant is taking too long to answer. Please try again.',
    retry: 'Retry'
  },
  es: {
    chat: 'Chat de carreras',
    chatOf: 'Chat de carreras, {school}',
    newReply: 'Chat de carreras, respuesta nueva',
    greeting: '¡Hola! Soy un asistente de orientación vocacional. Pregúntame sobre trabajos en imágenes médicas, '
      + 'como rayos X, ultrasonido o resonancia magnética: qué hacen, cuánto ganan, qué estudian y qué licencias '
      + 'necesitan.',
    greetingOf: '¡Hola! Soy el asistente de orientación vocacional de {school}. Pregúntame sobre trabajos en '
      + 'imágenes médicas, como rayos X, ultrasonido o resonancia magnética: qué hacen, cuánto ganan, qué '
      + 'estudian y qué licencias necesitan.',
    tryAsking: 'Puedes preguntar:',
    examplesLabel: 'Preguntas de ejemplo',
    examples: ['¿Qué hace un ecografista?', '¿Cuánto ganan los técnicos de rayos X?', '¿Necesito una licencia?',
      '¿Qué trabajos hay en este grupo?'],
    startOver: 'Empezar de nuevo',
    restarted: 'Empezaste una conversación nueva.',
    close: 'Cerrar el chat',
    conversation: 'Conversación',
    question: 'Tu pregunta',
    placeholder: 'Pregunta sobre una carrera…',
    send: 'Enviar',
    hint: 'Las respuestas vienen de dos fuentes publicadas. Para consejos sobre ti, habla con tu consejero o '
      + 'consejera.',
    summary: 'Resumen para mi consejero o consejera',
    you: 'Tú',
    assistant: 'Asistente',
    typing: 'El asistente está escribiendo…',
    suggested: 'Respuestas sugeridas',
    readAloud: 'Leer esta respuesta en voz alta',
    offline: 'Perdón, ahora no puedo conectarme con el asistente. Revisa tu conexión y vuelve a intentarlo.',
    slow: 'El asistente está tardando mucho en responder. Vuelve a intentarlo.',
    retry: 'Reintentar'
  }
};
var SVG_NS = 'http://www.w3.org/2000/svg';
var ICONS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  close: 'M6 6l12 12M18 6L6 18',
  restart: 'M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
  speaker: 'M11 5L6 9H3v6h3l5 4zM15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13'
};

// --- Small helpers --------------------------------------------------------------------------

/**
 * The widget's language: the first of these tags (the script's data-lang, then the page's <html lang>)
 * that names one it speaks ("es", "es-MX" -> 'es'; "en-GB" -> 'en'), else English.
 */
function pickLang() {
  for (var i = 0; i < arguments.length; i += 1) {
    var m = /^(en|es)(?:[-_]|$)/i.exec(String(arguments[i] || '').trim());
    if (m) {
      return m[1].toLowerCase();
    }
  }
  return 'en';
}

/** A word of the table with the school's name in it. */
function fill(text, school) {
  return text.replace('{school}', school);
}

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
