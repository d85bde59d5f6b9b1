// The sentences shared by every prober: one summary and one hint per reason, written for an IT
// engineer who must tell a network team exactly what to open.
//
// The rule for human text about results: a sentence lives in ONE table beside the code that says
// it, a `const SAY = { … }` of strings and small functions. A prober's own sentences (its details,
// its reasons' wording) are its table: at the top of its file when short (tcp, udp, listen), else
// in a sibling `src/probers/<name>-text.ts` that its helper modules share (http, mqtt, grpc,
// devp2p, wireguard, tls); the TLS client's in src/net/tls-text.ts, the error table's at the top
// of src/probe/classify.ts. Only what no one prober owns lives here. Words that are a
// specification's or a peer's (CONNACK codes, grpcio messages, nginx pages) stay beside the codes
// they name. test/style/sentences.test.ts fails on a sentence anywhere else in a prober file.
import type { ErrorCode } from './error-code.js';
import type { CheckResult, Reason } from './types.js';

export const REASON_SUMMARY: Record<Reason, string> = {
  ok: 'the expected service answered',
  refused: 'the host answered but nothing listens on this port',
  timeout: 'no answer at all: packets are dropped on the way (firewall) or the host is down',
  unreachable: 'an ICMP error came back: a firewall rejects the traffic or there is no route',
  'dns-error': 'the name does not resolve from this machine',
  reset: 'the connection was cut (a firewall or proxy resetting it, or a crashed service)',
  'wrong-protocol': 'something answered, but not the service this row expects',
  'tls-error': 'the TLS handshake failed (certificate or protocol problem)',
  'auth-rejected': 'the service is there but refused our credentials',
  'not-serving': 'the service answers but reports that it is not serving',
  'proxy-error': 'the HTTP proxy refused or failed to open the connection',
  'no-response': 'the connection opened but the service never answered',
  'not-listening': 'nothing on this machine listens on this port',
  exposed: 'a local-only service is reachable from other machines',
  expiring: 'the service works, but its certificate expires soon',
  'wrong-identity': 'a service of the right kind answered, but not the expected one (another service, node id or key)',
  error: 'an unexpected error',
  'not-checked': 'not checked: the request was planned (--all), no traffic was sent',
};

type HintRow = Pick<
  CheckResult,
  'reason' | 'outcome' | 'expect' | 'dir' | 'port' | 'service' | 'destination' | 'state'
> & {
  host?: string;
  probe?: string;
  code?: ErrorCode | undefined;
  /** ENETUNREACH and this machine itself has no route there (no source address could be found):
   * nothing left the machine, so no firewall elsewhere is involved. */
  noLocalRoute?: boolean;
};

/** The lookup codes where the name itself may be fine and the resolver is what failed: no server
 * reached, no answer in time, or a server that failed or refused (net/resolve.ts, getaddrinfo). */
const RESOLVER_FAILED = new Set(['EAI_AGAIN', 'EAI_FAIL', 'ETIMEOUT', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED']);

/** The way around a name that does not resolve, in a profile (--set) and in `fedprobe probe URL` alike. */
const USE_AN_ADDRESS = 'or use an IP address instead of the name (with --set, or in the URL of `fedprobe probe`).';

/** What to do about a name that did not resolve: a missing record and a failing resolver differ. */
function dnsHint(r: HintRow): string {
  const name = r.host ? `the name ${r.host}` : 'the host name';
  if (r.code === 'ENODATA') {
    return (
      `${sentenceStart(name)} exists in DNS but has no address record: ask whoever runs that DNS zone to add ` +
      `the A or AAAA record for ${r.destination}, ${USE_AN_ADDRESS}`
    );
  }
  if (r.code !== undefined && RESOLVER_FAILED.has(r.code)) {
    return (
      `This machine's DNS resolver did not resolve ${name} (no server reached, or it failed or refused: see ` +
      `the detail and /etc/resolv.conf): ask the network team which DNS server this machine should use and ` +
      `whether it resolves ${r.host ?? 'this name'}, ${USE_AN_ADDRESS}`
    );
  }
  const maybe = "a typo? a name only the site's internal DNS knows?";
  return `Check ${name} given for ${r.destination} (${maybe}), ${USE_AN_ADDRESS}`;
}

function sentenceStart(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One sentence telling the operator what to do next; empty for rows that passed. */
export function hintFor(r: HintRow): string {
  if (r.outcome === 'pass' || r.outcome === 'skip') return '';
  const port = r.port.toUpperCase();
  const to = r.host && r.host !== r.destination ? `${r.host} (${r.destination})` : r.destination;
  if (r.expect === 'blocked') {
    if (r.state === 'open|filtered') {
      return `Silence does not prove ${port} is blocked; check the firewall rule itself.`;
    }
    if (r.state === 'open') {
      return `${port} to ${to} should be blocked but something answered: close it in the firewall.`;
    }
    // Nothing was observed (an unreadable /proc/net, a name that does not resolve): nothing answered either.
    return (
      `Whether ${port} to ${to} is blocked is unknown: fedprobe could not observe it ` +
      `(${REASON_SUMMARY[r.reason]}; the detail says why). Fix that and run again.`
    );
  }
  switch (r.reason) {
    case 'refused':
      return (
        `The path to ${to} works but no ${r.service} service listens on ${port}: start it, or check the port ` +
        `number and that it is not bound to localhost only.`
      );
    case 'timeout':
      return (
        `Ask the network team to allow ${port} from this machine to ${to}; if it is already allowed, check ` +
        `that the host is up.`
      );
    case 'unreachable':
      if (r.noLocalRoute) {
        return (
          `This machine has no route to ${to} (see \`ip route get ${r.host ?? r.destination}\`: a missing default ` +
          `gateway, VPN or interface?): nothing was sent, so fix the routing here before asking anyone to open ${port}.`
        );
      }
      return (
        `A firewall or router rejects ${port} to ${to}: ask the network team to allow it (the rejecting device ` +
        `sent an ICMP error).`
      );
    case 'dns-error':
      return dnsHint(r);
    case 'reset':
      return (
        `Something cut the connection to ${to} on ${port}: look for a firewall or proxy that inspects this ` +
        `traffic, or a service that crashes.`
      );
    case 'wrong-protocol':
      return (
        `Another service answers on ${port} at ${to}: check the port, or whether a proxy or load balancer sits ` +
        `in front of ${r.service}.`
      );
    case 'tls-error':
      return `Fix the certificate of ${to} (expiry, name, trusted CA) or give the CA with the row's options.`;
    case 'auth-rejected':
      return (
        `${r.service} at ${to} is reachable and answered, but refused this client (credentials, a client ` +
        `certificate, or a full peer table): give accepted credentials to prove the login too.`
      );
    case 'not-serving':
      return `${r.service} at ${to} is reachable but reports that it is not serving: check that service's health.`;
    case 'proxy-error':
      return (
        `The HTTP proxy did not open ${port} to ${to}: ask for it to be allowed on the proxy, or bypass it ` +
        `with NO_PROXY.`
      );
    case 'no-response':
      if (r.state !== 'open|filtered' && /mqtt/i.test(r.service)) {
        return (
          `${port} at ${to} accepts connections but no CONNACK came before the deadline: the wrong service, a ` +
          `TLS port probed without TLS (try mqtts://), or an overloaded broker.`
        );
      }
      return r.state === 'open|filtered'
        ? `UDP silence on ${port}: open (a quiet service) or dropped by a firewall. Run \`fedprobe respond\` on ` +
            `${r.destination} to prove the path.`
        : `The port at ${to} accepts connections but ${r.service} never answered: is it the right service and port?`;
    case 'not-listening':
      return r.dir === 'in'
        ? `Start the ${r.service} service on ${port}, or run \`fedprobe respond\` to test the firewall before it is ` +
            `installed.`
        : `Nothing listens on ${port}.`;
    case 'expiring':
      return `Renew the certificate of ${to} before it expires.`;
    case 'wrong-identity':
      // The identity a row proves depends on its protocol: a gRPC service, or a devp2p node key.
      if (/^grpcs?:/.test(r.probe ?? '')) {
        return (
          `${port} at ${to} answers gRPC, but not as ${r.service}: the detail names what answers instead. ` +
          `Check the port number (another API of the same server?) and what a proxy in front routes it to.`
        );
      }
      return (
        `Something at ${to} on ${port} speaks ${r.service} but is not the expected node: check the address, or ` +
        `whether the node's key changed.`
      );
    case 'not-checked':
      return 'Run fedprobe check without --all to probe this row.';
    case 'exposed':
      return `Bind this service to 127.0.0.1 (or firewall ${port}) so that only this machine can reach it.`;
    default:
      return `Unexpected error on ${port} to ${to}; run again with --log-level debug for details.`;
  }
}
