/**
 * The two HTML documents of the protocol, byte for byte as the reference server sends them
 * (PROTOCOL.md 1.4 and 1.8 htmlfile).
 */
import { escapeHtmlAttribute } from './escape.ts';

/** The `/iframe.html` page. `sockjsUrl` must load the same client version as the main page. */
export function iframePage(sockjsUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${escapeHtmlAttribute(sockjsUrl)}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`;
}

const HTMLFILE_HEAD = `
<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.{{ callback }};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`;

/** Safari renders nothing before 1 KiB: pad as the reference server does (651 spaces). */
const HTMLFILE_PADDING = ' '.repeat(1024 - HTMLFILE_HEAD.length + 13) + '\r\n\r\n';

/** The htmlfile prelude for an already validated callback name. */
export function htmlfilePrelude(callback: string): string {
  return HTMLFILE_HEAD.replace('{{ callback }}', callback) + HTMLFILE_PADDING;
}
