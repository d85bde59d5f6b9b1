// What wireguard:// says (wireguard.ts, and the key loading and handshake checks beside it). The
// rule (src/messages.ts): each prober's sentences in one table beside it.
export const SAY = {
  handshakeOk: 'WireGuard handshake completed: the server holds its key and accepts this probe peer',
  pskMismatch: 'the WireGuard server answered the handshake, but the preshared key does not match',
  notOurServer: (why: string) => `something other than the expected WireGuard server answered: ${why}`,
  cookieLoop: 'the WireGuard server kept answering with cookie replies',
  keylessReply: (bytes: number) =>
    `a ${bytes}-byte reply came back; a WireGuard server never answers a packet without valid keys, so ` +
    `this is another service`,
  silenceWithKeys:
    'no answer to a real handshake: the server key is not this one, this probe peer is not configured on ' +
    'the server, or a firewall drops UDP',
  silenceKeyless:
    'no answer, as from any WireGuard server without keys, and as from a firewall that drops UDP: give a ' +
    "probe peer's keys (with.config) to prove the tunnel",
  // wireguard-keys.ts
  notAKey: (what: string) => `${what} is not a WireGuard key (32 bytes in base64, as \`wg genkey\` prints)`,
  unreadable: (what: string, path: string, code: string) => `${what}: cannot read ${path} (${code})`,
  envUnset: (what: string, name: string) => `${what}: the environment variable ${name} is not set`,
  noPrivateKey:
    "the probe peer's private key is missing (with.config [Interface] PrivateKey, with.privateKeyFile or " +
    'with.privateKeyEnv)',
  noPublicKey: "the server's public key is missing (with.publicKey, or [Peer] PublicKey in with.config)",
  privateKeyName: "the probe peer's private key",
  publicKeyName: "the server's public key",
  pskName: 'the preshared key',
  // wireguard-noise.ts: why a datagram is not the answer to our initiation
  notAResponse: (bytes: number, type: number | undefined) =>
    `a ${bytes}-byte datagram of type ${type}, not a handshake response`,
  otherInitiation: 'a handshake response for another initiation',
  wrongMac1: 'a handshake response whose mac1 is not keyed to our public key',
};
