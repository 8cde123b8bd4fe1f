/**
 * The demo page: a small chat over `/broadcast`. Pick a transport (or "auto"), see which one the
 * client is using and the round trip of your own messages (sent, broadcast by the server, back).
 * Plain HTML and JavaScript, no build step; it loads sockjs-client from `sockjsUrl`, the same
 * URL the services give their iframe page, so both always run the same client version.
 *
 * Messages are JSON `{ from, id, name, transport, text }`; anything else that arrives on
 * /broadcast (other clients, tests) is shown as it is. Query parameters preset the form:
 * `/?transport=xhr-polling&name=alice`.
 */

/** Every transport name sockjs-client 1.x accepts in its `transports` option, in its own order. */
export const CLIENT_TRANSPORTS = [
  'websocket',
  'xhr-streaming',
  'xdr-streaming',
  'eventsource',
  'iframe-eventsource',
  'htmlfile',
  'iframe-htmlfile',
  'xhr-polling',
  'xdr-polling',
  'iframe-xhr-polling',
  'jsonp-polling',
] as const;

export type ClientTransport = (typeof CLIENT_TRANSPORTS)[number];

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function demoPage(sockjsUrl: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>SockJS chat</title>
  <style>
    :root { font-family: system-ui, 'Liberation Sans', sans-serif; color: #1d2430; background: #f4f5f7; }
    body { margin: 0; }
    main { box-sizing: border-box; max-width: 44rem; height: 100vh; margin: 0 auto; padding: 1rem;
      display: flex; flex-direction: column; gap: .75rem; }
    header { display: flex; align-items: center; justify-content: space-between; gap: .75rem; flex-wrap: wrap; }
    h1 { margin: 0; font-size: 1.3rem; }
    h1 small { font-weight: 400; font-size: .85rem; color: #5b6472; }
    #status { padding: .2rem .7rem; border-radius: 1rem; font-size: .9rem; background: #e3e6eb; }
    #status[data-state=open] { background: #d5f2dc; color: #14532d; }
    #status[data-state=closed] { background: #fbe0e0; color: #7f1d1d; }
    form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
    label { display: flex; gap: .35rem; align-items: center; font-size: .9rem; }
    input, select, button { font: inherit; padding: .35rem .55rem; border: 1px solid #c4c9d2; border-radius: .4rem;
      background: #fff; color: inherit; }
    button { background: #2456d6; border-color: #2456d6; color: #fff; cursor: pointer; }
    button:disabled { opacity: .5; cursor: default; }
    #log { flex: 1; min-height: 10rem; overflow-y: auto; margin: 0; padding: .5rem; list-style: none;
      background: #fff; border: 1px solid #dde1e7; border-radius: .5rem; }
    #log li { display: flex; gap: .5rem; align-items: baseline; padding: .3rem .5rem; border-radius: .4rem; }
    #log li.mine { background: #eef3ff; }
    #log li.system { color: #5b6472; font-size: .85rem; font-style: italic; }
    .who { font-weight: 600; white-space: nowrap; }
    .text { flex: 1; overflow-wrap: anywhere; }
    .meta { color: #5b6472; font-size: .8rem; white-space: nowrap; }
    #send-form input { flex: 1; min-width: 10rem; }
  </style>
  <script src="${escapeAttribute(sockjsUrl)}"></script>
</head>
<body>
<main>
  <header>
    <h1>SockJS chat <small>on /broadcast</small></h1>
    <output id="status" data-state="connecting">connecting&hellip;</output>
  </header>
  <form id="connect-form">
    <label>Name <input id="name" size="8" maxlength="32" required></label>
    <label>Transport <select id="transport"></select></label>
    <button type="submit">Reconnect</button>
  </form>
  <ul id="log" aria-live="polite"></ul>
  <form id="send-form">
    <input id="message" autocomplete="off" maxlength="2000" placeholder="Say something" disabled>
    <button id="send" type="submit" disabled>Send</button>
  </form>
</main>
<script>
'use strict';
(() => {
  const TRANSPORTS = ${JSON.stringify(CLIENT_TRANSPORTS)};
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const me = Math.random().toString(36).slice(2, 10); // marks this tab's own messages
  const sentAt = new Map(); // message id -> performance.now() when sent
  let sock = null;
  let sequence = 0;

  const picker = $('transport');
  for (const name of ['auto'].concat(TRANSPORTS)) {
    const option = document.createElement('option');
    option.value = option.textContent = name;
    picker.append(option);
  }
  picker.value = TRANSPORTS.includes(params.get('transport')) ? params.get('transport') : 'auto';
  $('name').value = params.get('name') || 'guest-' + Math.random().toString(36).slice(2, 6);

  function addLine(className, who, text, meta) {
    const item = document.createElement('li');
    item.className = className;
    if (who) {
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = who;
      item.append(name);
    }
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    item.append(body);
    if (meta) {
      const small = document.createElement('span');
      small.className = 'meta';
      small.textContent = meta;
      item.append(small);
    }
    const log = $('log');
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(state, text) {
    const status = $('status');
    status.dataset.state = state;
    status.textContent = text;
  }

  function setConnected(connected) {
    $('message').disabled = !connected;
    $('send').disabled = !connected;
    if (connected) $('message').focus();
  }

  function formatMs(ms) {
    return (ms < 10 ? ms.toFixed(1) : String(Math.round(ms))) + ' ms';
  }

  function receive(data) {
    let message = null;
    try {
      message = JSON.parse(data);
    } catch {}
    if (message === null || typeof message !== 'object' || typeof message.text !== 'string') {
      addLine('', '', String(data), 'raw message');
      return;
    }
    const via = typeof message.transport === 'string' ? 'via ' + message.transport : '';
    const started = message.from === me ? sentAt.get(message.id) : undefined;
    if (started === undefined) {
      addLine('theirs', String(message.name), message.text, via);
      return;
    }
    sentAt.delete(message.id);
    addLine('mine', String(message.name) + ' (you)', message.text, via + ', round trip ' + formatMs(performance.now() - started));
  }

  function connect() {
    if (sock !== null) sock.close();
    const transport = picker.value;
    // A single forced transport has nothing to fall back to: give it time on a slow link.
    const options = transport === 'auto' ? {} : { transports: [transport], timeout: 5000 };
    setConnected(false);
    setStatus('connecting', transport === 'auto' ? 'connecting\\u2026' : 'connecting over ' + transport + '\\u2026');
    const current = new SockJS(new URL('/broadcast', location.href).href, null, options);
    sock = current;
    current.onopen = () => {
      if (sock !== current) return;
      setStatus('open', 'connected over ' + current.transport);
      addLine('system', '', 'connected over ' + current.transport);
      setConnected(true);
    };
    current.onmessage = (event) => {
      if (sock === current) receive(event.data);
    };
    current.onclose = (event) => {
      if (sock !== current) return;
      setConnected(false);
      setStatus('closed', 'closed: ' + event.code + ' ' + event.reason);
      addLine('system', '', 'closed: ' + event.code + ' ' + event.reason);
    };
  }

  $('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    connect();
  });
  picker.addEventListener('change', connect);
  $('send-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('message');
    if (sock === null || sock.readyState !== SockJS.OPEN || input.value === '') return;
    const id = ++sequence;
    sentAt.set(id, performance.now());
    sock.send(JSON.stringify({ from: me, id, name: $('name').value, transport: sock.transport, text: input.value }));
    input.value = '';
  });
  connect();
})();
</script>
</body>
</html>
`;
}
