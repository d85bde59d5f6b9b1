// mqtts://, mqtt+ws://, mqtt+wss://: the MQTT prober with TLS and WebSocket put in. Apart from
// mqtt.ts so that a plain mqtt:// row loads neither the TLS code nor `ws` (registry.ts).
import { readTlsFiles, startTls, tlsFailure } from '../net/tls.js';
import { mqttProber } from './mqtt.js';
import { openWebSocket } from './mqtt-websocket.js';
import { tlsVerdict } from './tls-verdict.js';

const tls = { readFiles: readTlsFiles, start: startTls, failure: tlsFailure, verdict: tlsVerdict };

export const probeMqtts = mqttProber({ tls });
export const probeMqttWs = mqttProber({ webSocket: openWebSocket });
export const probeMqttWss = mqttProber({ tls, webSocket: openWebSocket });
