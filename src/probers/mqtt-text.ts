// What mqtt://, mqtts://, mqtt+ws:// and mqtt+wss:// say (mqtt.ts, and the packet codec beside it).
// The rule (src/messages.ts): each prober's sentences in one table beside it. The CONNACK return
// codes keep the specification's own words, in mqtt-packets.ts beside the codes.
export const SAY = {
  /** A programming error: registry.ts builds each scheme's prober with the parts it needs. */
  builtWithout: (scheme: string, what: string) => `${scheme}:// prober built without ${what}`,
  // The WebSocket transport
  upgradeHungUp: (path: string) =>
    `the port closed the connection on our WebSocket upgrade request (GET ${path}) without an HTTP ` +
    'answer: not a WebSocket endpoint (a plain MQTT port? then use mqtt://)',
  upgradeNotHttp: (code: string) => `the answer to our WebSocket upgrade request is not HTTP (${code})`,
  upgradeFailed: (message: string) => `the WebSocket upgrade failed: ${message}`,
  messageTooBig: (kib: number) =>
    `the WebSocket server sent a message of more than ${kib} KiB ` + '(a CONNACK is a few bytes): not an MQTT answer',
  brokeWebSocket: (message: string) => `the WebSocket server broke the WebSocket protocol: ${message}`,
  upgradeAnswered: (path: string, status: string) =>
    `the WebSocket upgrade on ${path} was answered with ${status}: ` +
    'not an MQTT WebSocket endpoint (check with.path)',
  noMqttSubprotocol: (got: string) => `the WebSocket server did not accept the mqtt subprotocol (got "${got}")`,
  // The exchange
  partialConnack: (bytes: number, of: string, ms: number, hex: string) =>
    `connected, then ${bytes} bytes${of} of a CONNACK that did not complete within ` + `${ms} ms (first bytes ${hex})`,
  ofAnnounced: (total: number) => ` of the ${total} it announced`,
  malformedConnack: (message: string) => `a malformed CONNACK came back: ${message}`,
  notMqtt: (what: string) => `the port does not speak MQTT: ${what}`,
  answerTooLong: (kib: number, what: string) => `more than ${kib} KiB came back without a whole CONNACK: ${what}`,
  closedMidAnswer: (what: string) => `the connection closed in the middle of an answer: ${what}`,
  // Closed without a CONNACK
  closedWebSocket: (code: number, reason: string) =>
    `closed the WebSocket (code ${code}${reason ? ` "${reason}"` : ''})`,
  resetConnection: 'reset the connection',
  closedConnection: 'closed the connection',
  withoutAnswer: ' without an answer',
  wsClosedSeen: (how: string, tried: string) =>
    `the WebSocket server accepted the mqtt subprotocol, then ${how} without a CONNACK${tried}`,
  refusedWho: (credentialsGiven: boolean) => (credentialsGiven ? 'these credentials' : 'an anonymous client'),
  brokerRefused: (who: string, what: string) => `the MQTT broker refused ${who}: ${what}`,
  anonymousRefusedLikely: (seen: string) =>
    `an MQTT broker refusing an anonymous client, most likely: ${seen} ` + '(give with.username and a secret password)',
  refusedDespiteCredentials: (seen: string) =>
    `${seen}, although credentials were sent: the MQTT broker refused this client without saying why`,
  resetOnConnect: (tried: string) =>
    `the port reset the connection on our MQTT CONNECT without an answer${tried} ` + '(a TLS port? then use mqtts://)',
  closedOnConnect: (tried: string) =>
    'the port accepted the connection, then closed it without a byte in answer to our MQTT ' +
    `CONNECT${tried}: no CONNACK, so MQTT is not proven (a broker refusing this client without a word, or another ` +
    'service dropping what it cannot parse)',
  // The MQTT 5 attempt a 3.1.1-only broker closed
  v5Retry: (first: string) =>
    `; it ${first} on our MQTT 5.0 CONNECT without an answer, ` +
    'so it most likely speaks MQTT 3.1.1 only (with.version: 3.1.1)',
  v5Tried: (first: string) => ` (MQTT 3.1.1; our MQTT 5.0 CONNECT before it: ${first})`,
  // The CONNACK
  accepted: (version: string, via: string, codeText: string, retryNote: string) =>
    `MQTT ${version} broker accepted the connection${via}: ${codeText}${retryNote}`,
  refusedConnection: (codeText: string) => `the MQTT broker answered but refused the connection: ${codeText}`,
  // mqtt-packets.ts: a CONNACK that breaks its rules, and bytes that are not one
  propertyPastEnd: (what: string) => `the ${what} property runs past the end of the CONNACK`,
  propertyNotUtf8: (what: string) => `the ${what} property is not valid UTF-8`,
  propertyUnknown: (id: string) => `the CONNACK carries property id ${id}, which MQTT 5 does not define for a CONNACK`,
  propertyRepeated: (name: string) => `the CONNACK repeats the ${name} property`,
  propertyNotBool: (name: string, v: number) => `the ${name} property is ${v}, not 0 or 1`,
  receiveMaximumZero: 'the receive maximum property is 0',
  maximumPacketSizeZero: 'the maximum packet size property is 0',
  notConnack: (first: string) => `the first byte is ${first}, not a CONNACK (0x20)`,
  badRemainingLength: "the CONNACK's remaining length is not a valid MQTT length (more than 4 bytes)",
  badConnackLength: (v4: boolean, remaining: number) =>
    `${v4 ? 'an MQTT 3.1.1' : 'a'} CONNACK of ${remaining} bytes is malformed${v4 ? ' (it has exactly 2)' : ''}`,
  reservedFlags: 'the CONNACK has reserved flag bits set',
  noPropertyLength: 'an MQTT 5 CONNACK that accepts the connection has no property length',
  badPropertyLength: "the CONNACK's property length is not a valid MQTT length",
  truncatedLength: 'a truncated length',
  propertiesMismatch: (size: string, bytes: number) =>
    `the CONNACK's properties (${size}) do not fill its remaining ${bytes} bytes`,
  v5AnsweredAsV4: 'unacceptable protocol version: the broker does not speak MQTT 5, probe with version 3.1.1',
  unknownReturnCode: (code: number) => `unknown return code ${code}`,
  httpAnswered: (line: string | undefined) => `an HTTP server answered (${line})`,
  sshAnswered: (line: string | undefined) => `an SSH server answered (${line})`,
  tlsAnswered: 'a TLS server answered (use mqtts://)',
  unexpectedBytes: (hex: string, text: string) => `unexpected bytes ${hex} ("${text}")`,
};
