// What http:// and https:// say. The rule (src/messages.ts): each prober's sentences in one table
// beside it.
export const SAY = {
  // nginx's own pages for TLS problems it finds after the handshake; `why` quotes the page.
  plainToHttps: (why: string) => `the port speaks HTTPS, not plain HTTP (${why}): use https://`,
  clientCertRequired: (why: string) =>
    `the server requires a client certificate (${why}; the TLS handshake completed without one, ` +
    'the refusal came in HTTP); give one with with.cert and with.key',
  clientCertRejected: (why: string) =>
    `the server rejected our client certificate (${why}): ` +
    'it does not verify against the CA the server trusts for clients, or it has expired',
  // A 400 from a server that asked for a client certificate (nginx's error_page for 495/496).
  certAsked: (line: string, method: string, path: string) =>
    `${line} for ${method} ${path} from a server that asked for a client certificate`,
  certAskedOursRefused: (asked: string) => `${asked}: most likely it refused ours (nginx answers that with 400)`,
  certAskedNoneGiven: (asked: string) =>
    `${asked} and got none: most likely the missing certificate (nginx answers it with 400); ` +
    'give one with with.cert and with.key',
  belowFiveHundred: 'a status below 500',
  unexpectedStatus: (line: string, method: string, path: string, wanted: string) =>
    `${line} for ${method} ${path}, expected ${wanted}`,
  bodyMismatch: (line: string, pattern: string | undefined) => `${line}, but the body does not match /${pattern}/`,
  notHttp: (first: string) => `the answer is not HTTP: "${first}"`,
  closedUnanswered: 'the server closed the connection without answering our HTTP request (not an HTTP service?)',
  brokeMidAnswer: (code: string) => `the connection broke in the middle of the HTTP answer (${code})`,
};
