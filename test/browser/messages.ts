/**
 * Messages the browser suite echoes over every transport: each one trips some layer of framing
 * or escaping (JSON, the eventsource and htmlfile streams, jsonp's script and form posts, the
 * iframe's postMessage, the query string of a send).
 */

const mixedUnit = 'mixed <>&"\' \u2028\u2029 \u0000 é\u0301 😀 %41 </script> ';

export const VARIED_MESSAGES: readonly string[] = [
  'hello',
  '',
  ' ',
  'control \u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f\u007f\u0080\u0085\u009f',
  'line separators \u2028 and \u2029, twice: \u2028\u2029',
  'emoji 😀 👩🏽‍💻 🇺🇦 and astral 𝄞 𠀀',
  'combining e\u0301 a\u0308 n\u0303, stacked \u0301\u0302\u0303\u0304 and z\u0336\u0335\u0334',
  'percent %20 %25 %u2028 %E2%80%A8 %zz % %%',
  'HTML <b>bold</b> &amp; &lt; &#60; <!-- comment --> <![CDATA[x]]> <img src=x onerror=alert(1)>',
  'script </script><script>alert(1)</script> </SCRIPT > <\\/script>',
  'quotes \' " ` and backslashes \\ \\\\ \\u0041 \\n',
  'frames a["x"] c[3000,"Go away!"] h o m',
  'event stream \r\n\r\ndata: x\n\nid: 1\r',
  'specials \ufeff \ufff0 \uffff \ufffd, noncharacter \ufdd0 and a lone surrogate \ud800 \udfff',
  '[1,2,3]',
  'x'.repeat(100 * 1024),
  mixedUnit.repeat(Math.ceil((100 * 1024) / mixedUnit.length)),
];
