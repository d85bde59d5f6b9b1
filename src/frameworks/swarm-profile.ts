// An HPE Swarm Learning SWOP profile (the YAML run-swop's --profile-file-name names, inside --usr-dir) →
// the variables of swarm/swop(-proxy). Schema: HewlettPackard/swarm-learning 77231165d3
// docs/SWOP-profile-schema.yaml (= docs/User/SWOP_profile_schema.md). Of its fields these carry a network
// address: apisrv.locator.{host,port,service} (the SN API: host/port direct, service an FQDN[:port] through
// the reverse proxy), apls.locator.{host,port} (the license server), dns (the name servers that resolve the
// FQDNs to the proxy), and per nodes[].slnodedef the SL that SWOP starts: slhostip, slport (its FS port),
// slfsservice (its FS service FQDN), slhostname. groupname, taskrunner, policyuri, resourcemgr, network (a
// docker network name), envvars, identity (cert mounts), privatedata and the usr* fields carry none.
// run-swop: "Options specified in swop profile takes precedence over" --sn-ip, --sn-api-port and
// --sn-api-service (scripts/bin/run-swop l.84-88); it says nothing of --apls-ip, so that argument stands.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import type { ArgValue } from './argv.js';
import { type Facts, type Found, fitFacts, splitHostPort } from './found.js';
import { readConfigText } from './text.js';

interface At {
  value: string;
  source: string;
}

interface SlNode {
  at: string;
  name?: At;
  hostip?: At;
  port?: At;
  fsservice?: At;
}

interface SwopProfile {
  snHost?: At;
  snPort?: At;
  snService?: At;
  aplsHost?: At;
  aplsPort?: At;
  /** Where apisrv.locator is, for the note when it names no SN. */
  apisrv: string;
  dns: At[];
  nodes: SlNode[];
}

/** Top-level keys only a SWOP profile has (a compose file has none of them). */
export function looksLikeSwopProfile(text: string): boolean {
  return /^taskrunner\s*:/m.test(text) && /^(apisrv|apls|nodes)\s*:/m.test(text);
}

function parseSwopProfile(file: string, text: string): SwopProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) throw new UsageError(`${file}:${err.linePos?.[0].line ?? 1}: not valid YAML: ${err.message.split('\n')[0]}`);
  const line = (n: Node | null | undefined) => `${file}:${lineCounter.linePos(n?.range?.[0] ?? 0).line}`;
  // A scalar that is set (~ and null mean "not given" in the schema), as text with its line.
  const scalar = (n: unknown): At | undefined =>
    isScalar(n) && n.value !== null && String(n.value) !== '' ? { value: String(n.value), source: line(n) } : undefined;
  const get = (path: string[]) => doc.getIn(path, true);
  const dnsNode = get(['dns']);
  const dns = isSeq(dnsNode) ? dnsNode.items.flatMap((i) => scalar(i) ?? []) : [];
  const nodesNode = get(['nodes']);
  const nodes: SlNode[] = [];
  for (const item of isSeq(nodesNode) ? nodesNode.items : []) {
    const def = isMap(item) ? item.get('slnodedef', true) : undefined;
    if (!isMap(def)) continue;
    const pick = (k: string) => scalar(def.get(k, true));
    const node: SlNode = { at: line(def) };
    const [name, hostip, port, fsservice] = ['slhostname', 'slhostip', 'slport', 'slfsservice'].map(pick);
    if (name) node.name = name;
    if (hostip) node.hostip = hostip;
    if (port) node.port = port;
    if (fsservice) node.fsservice = fsservice;
    nodes.push(node);
  }
  const out: SwopProfile = { apisrv: line(get(['apisrv']) as Node | undefined), dns, nodes };
  const fields: [keyof SwopProfile, string[]][] = [
    ['snHost', ['apisrv', 'locator', 'host']],
    ['snPort', ['apisrv', 'locator', 'port']],
    ['snService', ['apisrv', 'locator', 'service']],
    ['aplsHost', ['apls', 'locator', 'host']],
    ['aplsPort', ['apls', 'locator', 'port']],
  ];
  for (const [key, path] of fields) {
    const v = scalar(get(path));
    if (v) (out as unknown as Record<string, At>)[key] = v;
  }
  return out;
}

/** The examples ship `<LICENSE-SERVER-ADDRESS>`, `<APLS-IP>` … for their README or run-all to replace. */
const isPlaceholder = (v: string) => /^<[^<>]+>$/.test(v);

/** What the SN and license fields give, merged over `facts` (the run-swop arguments, when there are any). */
function swopFacts(p: SwopProfile, facts: Facts, notes: string[], unknown: Record<string, string>): void {
  const put = (name: string, field: string, v: At | undefined, extra: { usual?: string; what?: string } = {}) => {
    if (!v) return;
    if (isPlaceholder(v.value)) {
      unknown[name] = `${field} (${v.source}) is still the example's placeholder ${v.value}`;
      delete facts[name];
      return;
    }
    const before = facts[name];
    if (before && before.value !== v.value)
      notes.push(`${field} ${v.value} (${v.source}) takes precedence over ${before.value} (${before.source})`);
    facts[name] = { value: v.value, source: v.source, ...extra };
  };
  put('sn_host', 'apisrv.locator.host', p.snHost);
  put('sn_api_port', 'apisrv.locator.port', p.snPort, { usual: '30304', what: 'SN API port (apisrv.locator.port)' });
  if (p.snService && !isPlaceholder(p.snService.value)) {
    const { host, port } = splitHostPort(p.snService.value, p.snService.source);
    put('sn_api_service', 'apisrv.locator.service', { value: host, source: p.snService.source });
    if (port !== undefined) put('sn_api_service_port', 'apisrv.locator.service', { ...p.snService, value: port });
    notes.push(
      `apisrv.locator.service (${p.snService.source}): through the reverse proxy; its address is found by DNS, ` +
        'not in the profile: --set proxy_host=HOST',
    );
  } else put('sn_api_service', 'apisrv.locator.service', p.snService);
  // The license server: an --apls-ip argument stands (run-swop gives no precedence rule for it).
  const apls = (name: string, field: string, v: At | undefined, usual?: string) => {
    const arg = facts[name];
    if (!v || (arg && isPlaceholder(v.value))) return;
    if (arg) {
      if (arg.value !== v.value)
        notes.push(`${field} ${v.value} (${v.source}) differs from ${arg.value} (${arg.source}), which is checked`);
      return;
    }
    put(name, field, v, usual ? { usual, what: `license server port (${field})` } : {});
  };
  apls('apls_host', 'apls.locator.host', p.aplsHost);
  apls('apls_port', 'apls.locator.port', p.aplsPort, '5814');
  if (p.dns.length)
    notes.push(
      `dns ${p.dns.map((d) => `${d.value} (${d.source})`).join(', ')}: the name servers of the containers SWOP ` +
        'starts; what they answer for the service FQDNs is the reverse proxy (proxy_host)',
    );
  for (const n of p.nodes) {
    const said = [
      n.hostip && `slhostip ${n.hostip.value}`,
      n.port && `slport ${n.port.value}`,
      n.fsservice && `slfsservice ${n.fsservice.value}`,
    ].filter((x): x is string => Boolean(x));
    const check = n.fsservice ? 'swarm/sl-proxy' : `swarm/sl${n.port ? ` --set sl_fs_port=${n.port.value}` : ''}`;
    notes.push(
      `SL node ${n.name?.value ?? '(no slhostname)'} (${n.at}) is started by SWOP` +
        `${said.length ? ` with ${said.join(', ')}` : ''}: check it with ${check}`,
    );
  }
}

const profileName = (facts: Facts) => (facts.sn_api_service ? 'swarm/swop-proxy' : 'swarm/swop');

/** `--from swop_profile.yaml`: the SWOP profile alone. */
export async function swarmFromSwopProfile(file: string, text: string): Promise<Found> {
  const p = parseSwopProfile(file, text);
  const facts: Facts = {};
  const notes: string[] = [];
  const unknown: Record<string, string> = {};
  swopFacts(p, facts, notes, unknown);
  if (!p.snHost && !p.snService)
    notes.unshift(
      `apisrv.locator (${p.apisrv}) names no SN: run-swop's --sn-ip or --sn-api-service does; --from that ` +
        'command line (it reads this profile too), or --set sn_host=HOST',
    );
  const found = await fitFacts(profileName(facts), facts, notes);
  return Object.keys(unknown).length ? { ...found, unknown } : found;
}

/** Where this machine reads a path a running process was given (discover/place.ts hostPath: its cwd, its
 * container's root); a UsageError, one line, when that cannot be told. */
export type PlacePath = (path: string, what: string) => string;

const PRECEDENCE = 'its apisrv.locator, when set, takes precedence over --sn-ip, --sn-api-port and --sn-api-service';

/** run-swop's profile file, `--usr-dir`/`--profile-file-name` as the script joins them (run-swop l.151),
 * merged over the arguments' facts; `place` puts it where a running process reads it. Unreadable here, it is
 * one note: what it could change is said. */
export async function mergeSwopProfile(
  usrDir: ArgValue | undefined,
  name: ArgValue | undefined,
  facts: Facts,
  notes: string[],
  unknown: Record<string, string>,
  place?: PlacePath,
): Promise<string> {
  if (!usrDir || !name) return profileName(facts);
  const path = `${usrDir.value.replace(/\/+$/, '')}/${name.value}`;
  const given = `--usr-dir ${usrDir.source}, --profile-file-name ${name.source}`;
  let there: string;
  let text: string;
  try {
    there = place ? place(path, `the SWOP profile ${path} (${given})`) : path;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    notes.push(`${e.message}: ${PRECEDENCE}`);
    return profileName(facts);
  }
  try {
    text = await readConfigText(there);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const why = /\(([^)]*)\)$/.exec(e.message)?.[1] ?? e.message;
    const here = there === path ? '' : `, here ${there}`;
    notes.push(`the SWOP profile ${path} (${given}${here}) cannot be read here (${why}): ${PRECEDENCE}`);
    return profileName(facts);
  }
  swopFacts(parseSwopProfile(there, text), facts, notes, unknown);
  return profileName(facts);
}
