// What discv4:// and rlpx:// say (devp2p.ts, and the discv4, RLPx and RLP codecs beside it). The
// rule (src/messages.ts): each prober's sentences in one table beside it. RLPx disconnect reasons
// keep the specification's own words, in rlpx.ts beside their codes.
export const SAY = {
  // discv4://
  notDiscv4: (why: string) => `something that is not a discv4 node answered: ${why}`,
  otherNode: (got: string, expected: string) =>
    `a devp2p node answered, but it is ${got}…, ` + `not the expected ${expected}…`,
  pong: (nodeId: string, expected: boolean) =>
    `discv4 PONG from node ${nodeId}…${expected ? ' (the expected node)' : ''}`,
  noPong: 'no PONG and no ICMP error: a node started with --nodiscover, or a firewall dropping UDP',
  noUdpListener:
    'no UDP listener (ICMP port unreachable): HPE Swarm publishes 30303 over TCP only, so check this row with ' +
    'rlpx:// or tcp://',
  // rlpx:// without the node's key
  closedAtOnce:
    'closed at once: geth does this to a second attempt within 30 s (throttled) or to an address outside ' +
    '--netrestrict; a proxy with no upstream does it too',
  silentListener:
    'a TCP listener that stays silent, as an RLPx node does; this does not prove devp2p: give with.nodeId or ' +
    'with.enode to prove it is the node',
  spokeFirst: (text: string) =>
    `the server spoke first ("${text}"), which an RLPx node never does: another service listens here`,
  // rlpx:// with the node's key
  connectionClosed: 'the connection was closed',
  closedAfterAuth: 'the connection was closed after our auth',
  nothingWithin: (ms: number) => `nothing came back within ${ms} ms`,
  noAck: (how: string, node: string) =>
    `no RLPx ack (${how}): the node here holds another key than ${node} (check nodeId/enode), or this is not ` +
    `a devp2p node; geth also closes at once a repeat attempt within 30 s`,
  notOurAck: (why: string, node: string) =>
    `an answer that is not an RLPx ack for us (${why}): not a devp2p node, or not node ${node}`,
  firstFrameTooBig: (size: number) => `a ${size}-byte first frame`,
  ackNoHello: (node: string, ms: number) =>
    `RLPx ack from node ${node} (it holds the node key), but no HELLO within ${ms} ms`,
  closedBeforeHello: (node: string) =>
    `node ${node} acked (it holds the key), then closed the connection before its HELLO`,
  brokenFrame: (why: string) => `an RLPx ack, then a broken frame (${why})`,
  refusedSession: (node: string, reason: string) =>
    `node ${node} answered (RLPx handshake done, key proven) and refused a session: ${reason}`,
  notHello: (node: string, id: number) => `node ${node} acked, then sent message ${id} where HELLO belongs`,
  hello: (node: string, clientId: string, version: number, capabilities: string[]) =>
    `RLPx handshake with node ${node}: ${clientId || 'no client id'} (p2p ` +
    `v${version}${capabilities.length ? `, ${capabilities.join(' ')}` : ''})`,
  // discv4-packet.ts: why a reply is not our PONG
  tooShort: (bytes: number) => `a ${bytes}-byte reply is too short for a discv4 packet`,
  badHash: 'the reply is not a discv4 packet (its hash does not match)',
  notPong: (type: number | undefined) => `a discv4 packet of type ${type}, not a PONG`,
  pongBadRlp: (why: string) => `a PONG with malformed RLP (${why})`,
  pongNoFields: 'a PONG without the fields it needs',
  pongOtherPing: 'a PONG for another PING',
  pongBadSignature: 'a PONG whose signature does not recover',
  // rlpx.ts: the handshake's cryptography and frames
  notEcies: 'not an ECIES message',
  eciesNoPoint: 'not an ECIES message (no curve point)',
  eciesBadMac: 'the ECIES MAC does not verify',
  headerBadMac: 'the frame header MAC does not verify',
  frameBadMac: 'the frame MAC does not verify',
  ackNoFields: 'an ack without its fields',
  ackBadFields: 'an ack with malformed fields',
  helloNoFields: 'a HELLO without its fields',
  // rlp.ts
  rlpTrailing: 'trailing bytes after the RLP item',
};
