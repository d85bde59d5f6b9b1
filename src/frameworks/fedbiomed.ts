// Fed-BioMed's own configuration files → profile variables.
//
// What each version writes (read in fedbiomed/fedbiomed, tags named):
// - v4 (MQTT + restful): etc/config_node.ini / config_researcher.ini, written by Environ
//   (v4.4.4 fedbiomed/common/environ.py l.346-357 `_configure_mqtt`: [mqtt] broker_ip, port, keep_alive;
//   fedbiomed/node/environ.py l.127-132 and researcher/environ.py l.90-95: [default] id, component,
//   uploads_url, version). At run time MQTT_BROKER, MQTT_BROKER_PORT, UPLOADS_URL and UPLOADS_IP
//   override the file (environ.py l.287-288, l.337-342).
// - v5+ (gRPC/TLS): <component root>/etc/config.ini (develop; v5.x etc/config_node.ini …), written by
//   Config.generate (develop 60d6192c6 fedbiomed/common/config.py l.300-312: [default] id, component,
//   version, db) and add_parameters: node [researcher] ip, port (fedbiomed/node/config.py l.111-115);
//   researcher [server] host, port, node_disconnection_timeout and [certificate] private_key,
//   public_key (fedbiomed/researcher/config.py l.45-58; v5.0.0 put the certificate in [server] pem,
//   key: v5.0.0 researcher/config.py l.36-41). At run time FBM_<SECTION>_<KEY> overrides the file
//   (common/config.py l.230-233).
// - VPN: the peer's config.env, written by configure_peer.py from config_templates/config_<type>.env
//   (envs/vpn/docker/vpnserver/build_files/vpn/bin/configure_peer.py l.369-385): VPN_SERVER_ENDPOINT
//   is "<public addr>:<port>" (l.372), VPN_SERVER_PSK a secret.
import { UsageError } from '../errors.js';
import { fitFacts, splitHostPort, type Facts, type Found, type ReadOptions } from './found.js';
import { parseIni, type Ini } from './ini.js';

const GRPC_PORT = '50051';
const MQTT_PORT = '1883';
const WIREGUARD_PORT = '51820';
/** Fed-BioMed's VPN address plan (envs/vpn/docker/vpnserver/run_mounts/config/config.env.sample l.12-14). */
const VPN_MANAGEMENT = '10.220.';
const VPN_RESEARCHERS = '10.222.';

export function looksLikeFedbiomedIni(text: string): boolean {
  return /^\s*\[default\]/m.test(text) && /^\s*component\s*[=:]\s*(NODE|RESEARCHER)\s*$/im.test(text);
}

export function looksLikeFedbiomedVpnEnv(text: string): boolean {
  return (
    /^# Fed-BioMed (node|researcher|management) configuration file/m.test(text) ||
    /^export VPN_SERVER_ENDPOINT=/m.test(text)
  );
}

interface Located {
  value: string;
  source: string;
}

function getter(ini: Ini, file: string, env: NodeJS.ProcessEnv, envLabel = 'env') {
  return (section: string, key: string, envName?: string): Located | undefined => {
    const name = envName ?? `FBM_${section.toUpperCase()}_${key.toUpperCase()}`;
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: `${envLabel} ${name}` };
    const v = ini[section]?.[key];
    return v && { value: v.value.trim(), source: `${file}:${v.line}` };
  };
}

function need(v: Located | undefined, file: string, what: string): Located {
  if (!v || v.value === '') throw new UsageError(`${file}: Fed-BioMed configuration without ${what}`);
  return v;
}

export async function readFedbiomedIni(file: string, text: string, opts: ReadOptions = {}): Promise<Found> {
  const ini = parseIni(text, file);
  const component = ini.default?.component?.value.trim().toUpperCase();
  if (component !== 'NODE' && component !== 'RESEARCHER') {
    throw new UsageError(
      `${file}: not a Fed-BioMed configuration file ([default] component is neither NODE nor RESEARCHER)`,
    );
  }
  const env = opts.env ?? {};
  const get = getter(ini, file, env, opts.envLabel);
  const version = ini.default?.version?.value.trim();
  const notes: string[] = [];
  const role = component === 'NODE' ? 'node' : 'researcher';

  if (ini.mqtt) return readV4(file, role, get, notes);
  if (role === 'node' && ini.researcher) {
    const ip = need(get('researcher', 'ip'), file, '[researcher] ip');
    const port = need(get('researcher', 'port'), file, '[researcher] port');
    const facts: Facts = {
      researcher_port: { ...port, usual: GRPC_PORT, what: 'researcher gRPC port' },
    };
    if (ip.value.startsWith(VPN_RESEARCHERS)) {
      notes.push(
        `researcher ip ${ip.value} (${ip.source}) is inside Fed-BioMed's VPN (10.222.0.0/16): the node reaches ` +
          `it through WireGuard; give vpn_server with --from the node's config.env (VPN_SERVER_ENDPOINT) or --set ` +
          `vpn_server=HOST`,
      );
      return fitFacts('fedbiomed/node-vpn', facts, notes);
    }
    facts.researcher_host = ip;
    if (version)
      notes.push(
        `node configuration version ${version} (${file}:${ini.default!.version!.line}): Fed-BioMed v5 or ` +
          `later, gRPC over TLS`,
      );
    return fitFacts('fedbiomed/node-v5', facts, notes);
  }
  if (role === 'researcher' && ini.server) {
    const host = need(get('server', 'host'), file, '[server] host');
    const port = need(get('server', 'port'), file, '[server] port');
    // The certificate the gRPC server presents, which nodes then trust on first use.
    const cert = get('certificate', 'public_key') ?? get('server', 'pem');
    const key = get('certificate', 'private_key') ?? get('server', 'key');
    const facts: Facts = {
      server_host: { ...host, what: 'researcher gRPC server address (FBM_SERVER_HOST)' },
      server_port: { ...port, usual: GRPC_PORT, what: 'researcher gRPC port' },
      ...(cert && { server_certificate: { ...cert, what: 'certificate the gRPC server presents (relative to etc/)' } }),
      ...(key && { server_key: { ...key, secret: true, what: 'its private key (used by path only)' } }),
    };
    if (/^(localhost|127\.[0-9.]+|::1)$/.test(host.value)) {
      notes.push(
        `the researcher's gRPC server binds ${host.value} (${host.source}): nodes on other machines cannot reach ` +
          `it; set FBM_SERVER_HOST to an address they dial`,
      );
    }
    if (host.value.startsWith(VPN_RESEARCHERS)) {
      notes.push(
        `server host ${host.value} (${host.source}) is inside Fed-BioMed's VPN (10.222.0.0/16); give vpn_server ` +
          `with --from the researcher's config.env or --set vpn_server=HOST`,
      );
      return fitFacts('fedbiomed/researcher-vpn', facts, notes);
    }
    return fitFacts('fedbiomed/researcher-v5', facts, notes);
  }
  const want = role === 'node' ? '[researcher] (v5+) nor [mqtt] (v4)' : '[server] (v5+) nor [mqtt] (v4)';
  throw new UsageError(`${file}: Fed-BioMed ${role} configuration with neither ${want}`);
}

function readV4(
  file: string,
  role: 'node' | 'researcher',
  get: ReturnType<typeof getter>,
  notes: string[],
): Promise<Found> {
  const broker = need(get('mqtt', 'broker_ip', 'MQTT_BROKER'), file, '[mqtt] broker_ip');
  const mqttPort = need(get('mqtt', 'port', 'MQTT_BROKER_PORT'), file, '[mqtt] port');
  const uploads = need(get('default', 'uploads_url', 'UPLOADS_URL'), file, '[default] uploads_url');
  let url: URL;
  try {
    url = new URL(uploads.value);
  } catch {
    throw new UsageError(`${uploads.source}: uploads_url "${uploads.value}" is not a URL`);
  }
  const restfulHost = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const restfulPort = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (broker.value.startsWith(VPN_MANAGEMENT)) {
    // Inside the VPN, MQTT and restful are tunnelled: only the WireGuard endpoint matters.
    notes.push(
      `MQTT broker ${broker.value} (${broker.source}) is inside Fed-BioMed's VPN (10.220.0.0/16): traffic goes ` +
        `through WireGuard; give vpn_server with --from the ${role}'s config.env (VPN_SERVER_ENDPOINT) or --set ` +
        `vpn_server=HOST`,
    );
    return fitFacts(`fedbiomed/${role}-vpn`, {}, notes);
  }
  const facts: Facts = {
    mqtt_port: { ...mqttPort, usual: MQTT_PORT, what: 'MQTT broker port' },
    restful_port: { value: restfulPort, source: uploads.source, what: 'restful port (uploads_url)' },
  };
  if (restfulHost !== broker.value) {
    notes.push(
      `the restful server (${restfulHost}, ${uploads.source}) and the MQTT broker (${broker.value}, ` +
        `${broker.source}) are on different hosts; network_host is the broker's: check the restful row with --set ` +
        `network_host=${restfulHost} --only restful`,
    );
  }
  facts.network_host = broker;
  return fitFacts(`fedbiomed/${role}`, facts, notes);
}

/** A VPN peer's config.env: `export NAME=value` lines, as configure_peer.py writes them. */
export async function readFedbiomedVpnEnv(file: string, text: string): Promise<Found> {
  const values: Record<string, { value: string; line: number }> = {};
  let kind: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const header = /^# Fed-BioMed (node|researcher|management) configuration file/.exec(raw);
    if (header) kind = header[1];
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (m) values[m[1]!] = { value: m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2'), line: i + 1 };
  });
  if (!kind) kind = values.FEDBIOMED_NODEID ? 'node' : undefined;
  if (!kind)
    throw new UsageError(
      `${file}: a VPN config.env without the "# Fed-BioMed <type> configuration file" header or ` +
        `FEDBIOMED_NODEID: cannot tell node from researcher`,
    );
  const endpoint = values.VPN_SERVER_ENDPOINT;
  if (!endpoint || endpoint.value === '')
    throw new UsageError(`${file}: Fed-BioMed VPN configuration without VPN_SERVER_ENDPOINT`);
  const source = `${file}:${endpoint.line}`;
  // The repository's config_templates/*.env hold `$vpn_server_endpoint`, which bin/configure_peer.py fills in
  // (string.Template); such a value is a placeholder, not an address.
  if (endpoint.value.includes('$'))
    throw new UsageError(
      `${source}: VPN_SERVER_ENDPOINT=${endpoint.value} is a placeholder: this is the template configure_peer.py ` +
        `fills in, not a peer's config.env`,
    );
  const { host, port } = splitHostPort(endpoint.value, source);
  const facts: Facts = {
    vpn_server: { value: host, source },
    ...(port !== undefined && { vpn_port: { value: port, source, usual: WIREGUARD_PORT, what: 'WireGuard port' } }),
  };
  const notes: string[] = [];
  const psk = values.VPN_SERVER_PSK;
  if (psk)
    notes.push(
      `the peer's WireGuard keys are in ${file} (VPN_SERVER_PUBLIC_KEY, VPN_SERVER_PSK at line ${psk.line}); ` +
        `fedprobe uses them by path, never prints them`,
    );
  const profile = kind === 'management' ? 'fedbiomed/network-vpn' : `fedbiomed/${kind}-vpn`;
  return fitFacts(profile, facts, notes);
}
