// Runs inside the browser, in a page that has loaded sockjs-client (the global `SockJS`): the
// cross-origin test page, or the server's own demo page. Plain JavaScript on purpose: code
// handed to the page as a function would carry the test runner's compiler helpers with it.
//
// sockjsSession(optionsJson) opens one connection with one forced transport, sends `send` once
// it is open, closes it after `expect` messages (if `closeAfter`), and resolves with a JSON
// string of what happened: JSON keeps every string exact (lone surrogates included) on its way
// out of the page.

window.sockjsSession = (optionsJson) =>
  new Promise((resolve) => {
    const { url, transport, send, expect, closeAfter, timeoutMs } = JSON.parse(optionsJson);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const result = {
      opened: false,
      transport: null,
      received: [],
      close: null,
      timedOut: false,
      error: null,
      openedAfterMs: null,
      closedAfterMs: null,
    };
    let done = false;
    let sock = null;
    let timer = null;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(JSON.stringify(result));
    };
    const closeIfDone = () => {
      if (closeAfter && result.received.length >= expect) sock.close();
    };
    timer = setTimeout(() => {
      result.timedOut = true;
      finish();
      if (sock !== null) sock.close();
    }, timeoutMs);
    try {
      // `timeout` raises the client's connect timeout, otherwise about 2 x (300 ms + the /info
      // round trip): enough on an idle machine, not with many browsers and servers on 2 cores.
      sock = new SockJS(url, null, { transports: [transport], timeout: 5000 });
    } catch (error) {
      result.error = String(error);
      finish();
      return;
    }
    sock.onopen = () => {
      result.opened = true;
      result.openedAfterMs = elapsed();
      result.transport = sock.transport;
      for (const message of send) sock.send(message);
      closeIfDone();
    };
    sock.onmessage = (event) => {
      result.received.push(event.data);
      closeIfDone();
    };
    sock.onclose = (event) => {
      result.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      result.closedAfterMs = elapsed();
      finish();
    };
  });
