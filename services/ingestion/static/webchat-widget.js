/* Relaydesk webchat widget: <script src="https://INGESTION/ingest/v1/webchat/widget.js" data-channel-id="…" async></script>
   Optional: data-title="…" (the panel's title), data-open="true" (opened at load). Plain JS, no build step. */
/* global window, document, console, localStorage, WebSocket, fetch, URL, setTimeout, clearTimeout, setInterval, clearInterval, crypto, CSSStyleSheet, FormData */
(() => {
  'use strict';

  const script = document.currentScript || document.querySelector('script[data-channel-id][src*="/webchat/widget.js"]');
  const channelId = script && script.getAttribute('data-channel-id');
  if (!channelId || !/^[0-9a-f-]{36}$/i.test(channelId)) return;
  window.__relaydeskWebchat = window.__relaydeskWebchat || {};
  if (window.__relaydeskWebchat[channelId]) return; // the tag twice on one page: one widget
  window.__relaydeskWebchat[channelId] = true;

  const base = new URL(script.src).origin;
  const api = `${base}/ingest/v1/webchat/${channelId}`;
  const sessionKey = `relaydesk.webchat.${channelId}`;
  const outboxKey = `relaydesk.webchat.${channelId}.outbox`;
  const PING_MS = 25_000;
  const MAX_BACKOFF_MS = 30_000;
  const CHAT_CLOSED = 4403; // the stream's close code for a chat switched off or a page not allowed

  // ---- storage (a page may block it: the widget then lives for this page only) ----
  const memory = {};
  const store = {
    get(key) {
      try {
        return JSON.parse(localStorage.getItem(key) || 'null');
      } catch {
        return memory[key] === undefined ? null : memory[key];
      }
    },
    set(key, value) {
      memory[key] = value;
      try {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(value));
      } catch {
        // kept in memory only
      }
    },
  };

  function newId() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const backoff = (attempt) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);

  // ---- state ----
  let session = store.get(sessionKey); // {token, visitorId, name}
  /** Lines shown, oldest first: {key, id?, direction, text, attachment?, createdAt?, clientMessageId?, status?} */
  let items = [];
  let olderCursor = null;
  let lastStreamId = null; // the last line the stream sent: a reconnect resumes after it
  let socket = null;
  let socketAttempt = 0;
  let reconnectTimer = null;
  let pingTimer = null;
  let sendTimer = null;
  let sendAttempt = 0;
  let sending = false;
  let unread = 0;
  let open = script.getAttribute('data-open') === 'true';

  // ---- DOM, in a closed shadow root so the page's CSS cannot reach it ----
  const host = document.createElement('div');
  host.setAttribute('data-relaydesk-webchat', channelId);
  const root = host.attachShadow({ mode: 'closed' });
  const css = `
    :host { all: initial; }
    [hidden] { display: none !important; }
    * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Apple Color Emoji", "Segoe UI Emoji", sans-serif; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px; border-radius: 50%; border: 0;
      background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; }
    .launcher svg { width: 26px; height: 26px; fill: currentColor; }
    .badge { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #dc2626; color: #fff; font-size: 12px; line-height: 20px; }
    .panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000; width: 360px; max-width: calc(100vw - 40px); height: 520px; max-height: calc(100vh - 120px);
      display: flex; flex-direction: column; background: #fff; color: #111827; border-radius: 12px; box-shadow: 0 10px 30px rgba(0,0,0,.25); overflow: hidden; font-size: 14px; line-height: 1.4; }
    .head { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; background: #2563eb; color: #fff; font-weight: 600; }
    .head button { background: none; border: 0; color: inherit; font-size: 20px; cursor: pointer; line-height: 1; }
    .status { font-size: 12px; font-weight: 400; }
    .list { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
    .line { max-width: 80%; padding: 8px 10px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .in { align-self: flex-end; background: #2563eb; color: #fff; border-bottom-right-radius: 4px; }
    .out { align-self: flex-start; background: #e5e7eb; color: #111827; border-bottom-left-radius: 4px; }
    .meta { display: block; font-size: 11px; opacity: .75; margin-top: 2px; }
    .in .meta { opacity: 1; } /* dimmed, white on the blue falls below 4.5:1 */
    .failed { background: #fee2e2; color: #991b1b; }
    .file { display: block; color: inherit; text-decoration: underline; cursor: pointer; margin-top: 4px; }
    span.file { text-decoration: none; cursor: default; }
    .older { align-self: center; background: none; border: 0; color: #2563eb; cursor: pointer; font-size: 12px; }
    form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; background: #fff; margin: 0; }
    form.ask { flex-direction: column; padding: 16px; border: 0; }
    label.name { display: flex; flex-direction: column; gap: 6px; }
    /* A field's edge at 3:1 on white, as WCAG 1.4.11 asks of controls. */
    textarea, input { flex: 1; font: inherit; color: #111827; background: #fff; border: 1px solid #858f99; border-radius: 8px; padding: 8px; resize: none; min-width: 0; }
    form button { font: inherit; border: 0; border-radius: 8px; padding: 8px 14px; background: #2563eb; color: #fff; cursor: pointer; }
    form button:disabled { opacity: .6; cursor: default; }
    form button.attach { padding: 8px; background: none; color: #2563eb; display: flex; align-items: center; }
    .attach svg { width: 22px; height: 22px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
    .error { color: #b91c1c; font-size: 12px; padding: 0 12px 8px; }
  `;
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(el('style', {}, css));
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-label': 'Chat', 'aria-expanded': 'false', onclick: () => toggle(!open) });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  const badge = el('span', { class: 'badge', hidden: true });
  launcher.append(badge);
  const statusLine = el('span', { class: 'status' });
  const title = el('span', {}, script.getAttribute('data-title') || 'Chat with us', el('br'), statusLine);
  const list = el('div', { class: 'list', role: 'log', 'aria-live': 'polite' });
  const errorLine = el('div', { class: 'error', hidden: true });
  const textarea = el('textarea', { rows: 2, maxlength: 10000, placeholder: 'Write a message…', 'aria-label': 'Message' });
  // The file types a website chat takes (D15), filled in from attachment-rules.ts by ingestion as it
  // serves this file; the server checks each file's bytes all the same.
  const fileInput = el('input', { type: 'file', hidden: true, accept: '{{accept}}', onchange: onFileChosen });
  const attach = el('button', { type: 'button', class: 'attach', 'aria-label': 'Attach a file', title: 'Attach a file', onclick: () => fileInput.click() });
  attach.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/></svg>';
  const composer = el('form', { onsubmit: onSend }, attach, fileInput, textarea, el('button', { type: 'submit' }, 'Send'));
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  const nameInput = el('input', { maxlength: 200, autocomplete: 'name' });
  const askName = el('form', { class: 'ask', onsubmit: onStart }, el('label', { class: 'name' }, 'Your name', nameInput), el('button', { type: 'submit' }, 'Start chat'));
  // The head is a <div>: a <header> would be a second banner landmark on the host page.
  const panel = el('div', { class: 'panel', role: 'dialog', 'aria-label': 'Chat', hidden: true, onkeydown: (e) => e.key === 'Escape' && toggle(false) },
    el('div', { class: 'head' }, title, el('button', { type: 'button', 'aria-label': 'Close', onclick: () => toggle(false) }, '×')),
    list, errorLine, composer, askName);
  root.append(panel, launcher);
  (document.body ? Promise.resolve() : new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }))).then(() => document.body.append(host));

  /** Opens or closes the panel; `focus`: into the panel when it opens, back to the launcher when it closes. */
  function toggle(value, focus = true) {
    open = value;
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      unread = 0;
      showBadge();
      list.scrollTop = list.scrollHeight;
      if (focus) (session ? textarea : nameInput).focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  function showBadge() {
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    launcher.setAttribute('aria-label', unread === 0 ? 'Chat' : `Chat, ${unread} unread`);
  }

  function showError(message) {
    errorLine.hidden = !message;
    errorLine.textContent = message || '';
  }

  function showSession() {
    composer.hidden = !session;
    list.hidden = !session;
    askName.hidden = !!session;
  }

  // ---- the lines ----
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
  const sizeOf = (n) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

  function render() {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const lines = items.map((item) => {
      const meta = item.status === 'sending' ? 'sending…' : item.status === 'failed' ? `not sent: ${item.error || 'try again'}` : time(item.createdAt);
      const line = el('div', { class: `line ${item.direction}${item.status === 'failed' ? ' failed' : ''}` });
      if (item.text) line.append(item.text);
      if (item.attachment) line.append(fileLink(item.attachment));
      line.append(el('span', { class: 'meta' }, meta));
      return line;
    });
    list.replaceChildren(...(olderCursor ? [el('button', { class: 'older', type: 'button', onclick: loadOlder }, 'Earlier messages')] : []), ...lines);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  /** A file of a line: a download link once the server keeps it, its name alone while it is being sent. */
  function fileLink(attachment) {
    const label = `\u{1F4CE} ${attachment.fileName} (${sizeOf(attachment.size)})`;
    if (!attachment.url) return el('span', { class: 'file' }, label);
    return el('a', { class: 'file', href: '#', onclick: (e) => download(e, attachment) }, label);
  }

  const keyOf = (item) => (item.clientMessageId ? `c:${item.clientMessageId}` : `i:${item.id}`);

  /** Adds lines not shown yet (by id, or by the visitor's clientMessageId); a known line takes the server's fields. */
  function merge(incoming, { prepend = false } = {}) {
    const fresh = [];
    for (const item of incoming) {
      const known = items.find((i) => keyOf(i) === keyOf(item) || (item.id && i.id === item.id));
      if (known) Object.assign(known, item, { status: undefined });
      else fresh.push({ ...item });
    }
    items = prepend ? [...fresh, ...items] : [...items, ...fresh];
    // In the server's order, whatever order they came in (history read after live replies); a
    // line not yet sent has no time and stays last.
    items.sort((a, b) => (a.createdAt || '\uffff').localeCompare(b.createdAt || '\uffff'));
    render();
    return fresh;
  }

  // ---- talking to ingestion ----
  async function call(method, path, body) {
    const json = body && !(body instanceof FormData); // a form's fetch names its own multipart boundary
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { ...(session ? { authorization: `Bearer ${session.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(body) : body,
    });
    const answer = await res.json().catch(() => null);
    if (res.status === 401 && session) forgetSession();
    return { status: res.status, body: answer };
  }

  function forgetSession() {
    session = null;
    store.set(sessionKey, null);
    store.set(outboxKey, null);
    items = [];
    olderCursor = null;
    lastStreamId = null;
    disconnect();
    showSession();
    render();
  }

  async function onStart(e) {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      showError('Please enter your name to start the chat.');
      nameInput.focus();
      return;
    }
    const button = askName.querySelector('button');
    button.disabled = true;
    try {
      const answer = await call('POST', '/sessions', { name });
      if (answer.status !== 201) return showError((answer.body && answer.body.error && answer.body.error.message) || 'Could not start the chat');
      session = { token: answer.body.token, visitorId: answer.body.visitorId, name };
      store.set(sessionKey, session);
      showError('');
      showSession();
      textarea.focus();
      await start();
    } catch {
      if (!(await explainNoAnswer())) showError('No connection: try again in a moment');
    } finally {
      button.disabled = false;
    }
  }

  /**
   * A page its chat does not allow gets no answer the browser lets it read, so it looks offline:
   * the availability question, which any page may ask, tells the two apart. True when it said why.
   */
  async function explainNoAnswer() {
    let answer;
    try {
      answer = await (await fetch(`${api}/availability`)).json();
    } catch {
      return false;
    }
    if (!answer || answer.available !== false) return false;
    statusLine.textContent = answer.originAllowed ? 'closed for now' : 'not available here';
    showError(answer.reason);
    if (!answer.originAllowed) console.error(`Relaydesk: this chat does not allow pages of ${window.location.origin}. Add that address to its allowed sites (Channels page, channel ${channelId}).`);
    return true;
  }

  async function loadHistory() {
    const answer = await call('GET', '/messages?limit=100');
    if (answer.status !== 200) {
      showRefusal(answer);
      return false;
    }
    olderCursor = answer.body.nextCursor;
    const sent = new Set(answer.body.items.filter((i) => i.clientMessageId).map((i) => i.clientMessageId));
    store.set(outboxKey, (store.get(outboxKey) || []).filter((m) => !sent.has(m.clientMessageId)));
    merge(answer.body.items);
    return true;
  }

  async function loadOlder() {
    if (!olderCursor) return;
    try {
      const answer = await call('GET', `/messages?limit=100&cursor=${encodeURIComponent(olderCursor)}`);
      if (answer.status !== 200) return;
      olderCursor = answer.body.nextCursor;
      merge(answer.body.items, { prepend: true });
    } catch {
      showError('No connection: try again in a moment');
    }
  }

  function onSend(e) {
    e.preventDefault();
    const text = textarea.value;
    if (!text.trim() || !session) return;
    const message = { clientMessageId: newId(), text };
    store.set(outboxKey, [...(store.get(outboxKey) || []), message]);
    merge([{ direction: 'in', text, clientMessageId: message.clientMessageId, status: 'sending' }]);
    textarea.value = '';
    void flushOutbox();
  }

  /** Sends the waiting messages in order, each with its own clientMessageId, so a retry is never a second message. */
  async function flushOutbox() {
    if (sending || !session) return;
    sending = true;
    clearTimeout(sendTimer);
    try {
      for (;;) {
        const [next] = store.get(outboxKey) || [];
        if (!next) break;
        const line = items.find((i) => i.clientMessageId === next.clientMessageId);
        const answer = await postMessage(next);
        if (!session) return;
        if (isFinal(answer)) {
          store.set(outboxKey, (store.get(outboxKey) || []).filter((m) => m.clientMessageId !== next.clientMessageId));
          settle(line, answer);
          sendAttempt = 0;
          continue;
        }
        sendTimer = setTimeout(() => void flushOutbox(), backoff(sendAttempt++));
        break;
      }
    } finally {
      sending = false;
    }
  }

  /** A message's answer; status 0 when the server could not be reached. */
  const postMessage = (body) => call('POST', '/messages', body).catch(() => ({ status: 0 }));

  /** A 202, or a refusal that sending again cannot mend (any 4xx but a timeout or a rate limit). */
  const isFinal = (answer) => answer.status === 202 || (answer.status >= 400 && answer.status < 500 && ![408, 429].includes(answer.status));

  /** Shows the server's answer on the visitor's line: kept, with its id, or not sent and why. */
  function settle(line, answer) {
    if (line) {
      line.status = answer.status === 202 ? undefined : 'failed';
      line.error = refusalOf(answer);
      if (answer.status === 202) Object.assign(line, { id: answer.body.id, createdAt: line.createdAt || new Date().toISOString() });
    }
    render();
  }

  /** Why the server refused: the first clause of its message (a list of what it takes may follow a ";"). */
  function refusalOf(answer) {
    const message = answer.body && answer.body.error && answer.body.error.message;
    return (message && message.split('; ')[0]) || { 403: 'This chat is not available', 413: 'This file is too large', 415: 'This type of file cannot be sent' }[answer.status];
  }

  /**
   * D15: a file, with the text typed so far as its caption, sent at once. It stays in this page's
   * memory (a file cannot be kept in localStorage) and is retried, under the same clientMessageId,
   * until the server keeps or refuses it.
   */
  function onFileChosen() {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = ''; // choosing the same file again is a new choice
    if (!file || !session) return;
    const text = textarea.value.trim() ? textarea.value : undefined;
    const message = { clientMessageId: newId(), text, file };
    merge([{ direction: 'in', text: text || null, attachment: { fileName: file.name, mimeType: file.type, size: file.size }, clientMessageId: message.clientMessageId, status: 'sending' }]);
    textarea.value = '';
    showError('');
    textarea.focus();
    void uploadFile(message, 0);
  }

  async function uploadFile(message, attempt) {
    const form = new FormData();
    form.append('clientMessageId', message.clientMessageId); // before the file: the server names the file after it
    if (message.text) form.append('text', message.text);
    form.append('file', message.file, message.file.name);
    const answer = await postMessage(form);
    if (!session) return;
    if (!isFinal(answer)) {
      setTimeout(() => void uploadFile(message, attempt + 1), backoff(attempt));
      return;
    }
    if (answer.status === 403) showRefusal(answer);
    else if (answer.status !== 202) showError(`${message.file.name} was not sent: ${refusalOf(answer) || 'try again'}`);
    settle(items.find((i) => i.clientMessageId === message.clientMessageId), answer);
  }

  function restoreOutbox() {
    merge((store.get(outboxKey) || []).map((m) => ({ direction: 'in', text: m.text, clientMessageId: m.clientMessageId, status: 'sending' })));
  }

  async function download(e, attachment) {
    e.preventDefault();
    if (!session) return;
    try {
      const res = await fetch(`${base}${attachment.url}`, { headers: { authorization: `Bearer ${session.token}` } });
      if (!res.ok) return showError('This file is no longer available');
      const href = URL.createObjectURL(await res.blob());
      const a = el('a', { href, download: attachment.fileName });
      root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    } catch {
      showError('No connection: try again in a moment');
    }
  }

  // ---- the live stream of replies ----
  function connect() {
    if (!session || socket) return;
    clearTimeout(reconnectTimer);
    const url = new URL(`${api}/stream`.replace(/^http/, 'ws'));
    url.searchParams.set('token', session.token);
    if (lastStreamId) url.searchParams.set('after', lastStreamId);
    const ws = new WebSocket(url);
    let opened = false;
    socket = ws;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'hello') {
        socketAttempt = 0;
        statusLine.textContent = 'online';
        showError('');
        // What was kept before this page first connected comes with the history, read again at
        // every connect; the stream brings what follows, from this tab and the visitor's others.
        void loadHistory().catch(() => undefined);
        clearInterval(pingTimer);
        pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS);
        void flushOutbox();
      } else if (frame.type === 'reply' || frame.type === 'message') {
        lastStreamId = frame.data.id;
        const fresh = merge([frame.data]);
        if (frame.type === 'reply' && fresh.length > 0 && !open) {
          unread += fresh.length;
          showBadge();
        }
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      clearInterval(pingTimer);
      statusLine.textContent = event.code === CHAT_CLOSED ? 'closed for now' : 'reconnecting…';
      if (event.code === CHAT_CLOSED) showError(event.reason);
      if (!session) return;
      // Refused before it opened: a plain request says why (401 forgets the token; 403 is a closed chat).
      const check = opened ? Promise.resolve() : call('GET', '/messages?limit=1').then(showRefusal, explainNoAnswer);
      void check.then(() => {
        if (session) reconnectTimer = setTimeout(connect, backoff(socketAttempt++));
      });
    };
  }

  /** A chat switched off, or a page its owner has not allowed, answers 403 with the reason. */
  function showRefusal(answer) {
    if (answer.status !== 403) return;
    statusLine.textContent = 'closed for now';
    showError((answer.body && answer.body.error && answer.body.error.message) || 'This chat is not available');
  }

  function disconnect() {
    clearTimeout(reconnectTimer);
    clearInterval(pingTimer);
    const ws = socket;
    socket = null;
    if (ws) ws.close();
    statusLine.textContent = '';
  }

  async function start() {
    restoreOutbox();
    try {
      await loadHistory();
    } catch {
      // offline, or a page the chat does not allow: the stream's reconnects and the outbox retries carry on
      await explainNoAnswer();
    }
    connect();
    void flushOutbox();
  }

  window.addEventListener('online', () => {
    if (session && !socket) connect();
    void flushOutbox();
  });

  showSession();
  render();
  toggle(open, false);
  if (session) void start();
})();
