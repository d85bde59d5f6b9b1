// What grpc:// and grpcs:// say (grpc.ts, the service fingerprints and the wire helpers beside
// it). The rule (src/messages.ts): each prober's sentences in one table beside it.
export const SAY = {
  // grpc.ts: answers that are not gRPC
  noHeadersTls: 'the HTTP/2 stream ended without any response headers',
  noHeadersPlain: 'the stream ended without response headers: is this a TLS port? (try grpcs://)',
  bodyLimit: (kib: number, httpStatus: number, type: string) =>
    `the server sent more than ${kib} KiB on one call without ending it ` +
    `(HTTP ${httpStatus}${type ? ` ${type}` : ''}): fedprobe stopped reading there; a gRPC answer to this call is ` +
    `a few bytes`,
  proxyBackendDown: (httpStatus: number) =>
    `an HTTP/2 proxy answered ${httpStatus} instead of the gRPC service: its backend is down or unreachable from ` +
    `the proxy`,
  notGrpc: (httpStatus: number, type: string) =>
    `HTTP/2 but not gRPC: status ${httpStatus}${type ? ` ${type}` : ''} and no grpc-status (a web server or proxy ` +
    `page)`,
  unfinishedCall: (status: string, type: string, bytes: number, ms: number) =>
    `the server answered (HTTP ${status}${type ? ` ${type}` : ''}, ` +
    `${bytes} bytes of body) but did not end the call within ${ms} ms`,
  // grpc.ts: a unary call's grpc-status
  answered: (path: string, said: string) => `gRPC answered ${path}: ${said}`,
  serving: (service: string | undefined) => `gRPC health: SERVING${service ? ` (${service})` : ''}`,
  notServing: (serving: string, service: string | undefined) =>
    `gRPC health says ${serving}${service ? ` for ${service}` : ''}`,
  unimplemented: (isHealth: boolean, said: string) =>
    `gRPC server answered (${isHealth ? 'it has no health service' : 'it does not know this method'}: ` + `${said})`,
  unknownServiceName: (service: string, said: string) =>
    `the health service does not know the service name "${service}" (${said})`,
  wantsAuth: (said: string) => `the gRPC server wants authentication (${said})`,
  noHealthyUpstream: (said: string) => `a gRPC proxy answered that it has no healthy upstream (${said})`,
  refusedCall: (said: string) => `the gRPC server refused the call: ${said}`,
  // grpc.ts: HTTP/2 and TLS below the call
  noSettings: (n: number, ms: number) =>
    `connected, then ${n} byte${n === 1 ? '' : 's'} within ${ms} ms, but no HTTP/2 SETTINGS ` +
    'frame: the HTTP/2 handshake did not complete (a gRPC server sends its SETTINGS at once)',
  noH2: (alpn: string) => `the TLS server did not agree to HTTP/2 (ALPN ${alpn}): gRPC needs h2`,
  brokeBeforeSettingsTls: (why: string) =>
    `the TLS server closed or broke the HTTP/2 connection before its SETTINGS ` + `(${why}): not a gRPC server`,
  noPrefaceAnswer: (why: string) =>
    `no HTTP/2 answer to the connection preface (${why}): not a gRPC server, or a ` + `TLS port (try grpcs://)`,
  brokeCall: (message: string) => `the HTTP/2 server broke the call: ${message}`,
  // fingerprints.ts: which framework service answers
  notRegistered: 'not registered',
  notRegisteredAnswer: "not grpcio's answer for a registered method",
  undecodableRefused: (said: string) => `an undecodable request was refused before any handler ran: ${said}`,
  registered: (label: string, path: string, how: string) => `${label}: ${path} is registered (${how})`,
  clockRefused: (label: string, said: string) =>
    `${label}, but its node-authentication interceptor refused this machine's clock ` +
    `(${said}): clocks more than a few seconds apart make a SuperNode here fail too`,
  nodeAuthGuards: (label: string, path: string, said: string) =>
    `${label}: Flower's node-authentication interceptor guards ${path} (${said}); ` +
    'it answers before the method table, so this proves the Fleet server, not the method',
  refusedBeforeLookup: (path: string, said: string, label: string) =>
    `the gRPC server refused before looking up ${path} (${said}): ` + `whether it serves ${label} is not proven`,
  servesInstead: (labels: string[]) => `this port serves ${labels.join(' and ')}`,
  noKnownApi: 'none of the other framework APIs fedprobe knows answers here either',
  wrongService: (label: string, tried: string, there: string) => `not ${label}: ${tried}; ${there}`,
  // grpc-wire.ts
  serviceNameTooLong: 'health service names longer than 127 bytes are not supported',
};
