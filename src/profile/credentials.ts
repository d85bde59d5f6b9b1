// Who may give a credential. A profile is written by someone else and names the host it probes;
// if it could also choose what credential to send (a file, an environment variable, a literal),
// it could send the operator's secrets to any host. So a `with:` option that carries a credential
// must be exactly a reference to a variable the profile declares `secret: true`, and its value
// comes from the operator (FEDPROBE_VAR_<NAME>, --set <name>_file=PATH, the site file).
//
// Not covered, on purpose: files that stay on this machine. WireGuard's privateKeyFile/
// privateKeyEnv/presharedKey*/config and TLS's key sign or derive keys; they are never sent.
import { quote } from '../errors.js';
import { redactProxyUrl } from '../net/proxy.js';
import type { VarDef } from '../types.js';
import { hostProblem } from './host.js';
import { own, varRefs } from './vars.js';

export interface OptionProblem {
  /** Path under the row: `with.password`, `with.headers.Authorization`. */
  path: string;
  message: string;
}

/** Options whose value is sent to the peer as a credential (or names where one is read from). */
const CREDENTIAL_KEY = /pass(word|phrase)?|token|secret|api[-_]?key|credential/i;
/** Keys read on this machine only: they sign or decrypt, and are never sent. */
const STAYS_LOCAL = new Set([
  'privateKeyFile',
  'privateKeyEnv',
  'presharedKeyFile',
  'presharedKeyEnv',
  'config',
  'key',
  'cert',
  'ca',
]);
/** Request headers that carry credentials: `Authorization: "Bearer ${token}"`. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|api[-_]?key|secret|pass|auth/i;

const EXACT_REF = /^\$\{([a-z_][a-z0-9_]*)\}$/;
/** An auth scheme word may precede the secret in a header: `Bearer ${token}`, `Basic ${b64}`. */
const HEADER_REF = /^(?:[A-Za-z][A-Za-z0-9._-]* )?\$\{([a-z_][a-z0-9_]*)\}$/;

function howToGive(example: string): string {
  return (
    `declare it under vars: with secret: true (e.g. ${example}: { secret: true }); the operator gives its value ` +
    `with FEDPROBE_VAR_${example.toUpperCase()} or --set ${example}_file=PATH`
  );
}

function snake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase();
}

function isSecret(defs: Record<string, VarDef>, name: string): boolean {
  return own(defs, name)?.secret === true;
}

function strings(value: unknown, path: string, out: [string, string][] = [], depth = 0): [string, string][] {
  if (depth > 32) return out;
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) strings(v, `${path}[${i}]`, out, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out, depth + 1);
  }
  return out;
}

function mustBeSecretRef(
  path: string,
  value: unknown,
  ref: RegExp,
  defs: Record<string, VarDef>,
  example: string,
): OptionProblem | undefined {
  const m = typeof value === 'string' ? ref.exec(value) : null;
  if (m && isSecret(defs, m[1]!)) return undefined;
  const why = m
    ? `\${${m[1]}} is not declared secret: true`
    : `a credential is never written in a profile, nor read from a file or variable it names`;
  return { path, message: `${why}: write exactly "\${${m?.[1] ?? example}}" and ${howToGive(m?.[1] ?? example)}` };
}

/** The first credential rule a row's `with:` breaks, or undefined. */
export function credentialProblem(
  withOpts: Record<string, unknown>,
  defs: Record<string, VarDef>,
): OptionProblem | undefined {
  for (const [key, value] of Object.entries(withOpts)) {
    const path = `with.${key}`;
    if (STAYS_LOCAL.has(key)) continue;
    if (key === 'proxy' && typeof value === 'string') {
      if (EXACT_REF.test(value) && isSecret(defs, EXACT_REF.exec(value)![1]!)) continue;
      if (/\/\/[^/]*@/.test(value)) {
        return {
          path,
          message:
            `proxy credentials are never written in a profile: write proxy: "\${corp_proxy}" and ` +
            `${howToGive('corp_proxy')}`,
        };
      }
    } else if (CREDENTIAL_KEY.test(key)) {
      const base = key.replace(/(File|Env)$/, '');
      if (base !== key) {
        // passwordFile: /etc/shadow, passwordEnv: AWS_SECRET_ACCESS_KEY — the profile would pick what is sent.
        return {
          path,
          message:
            `a profile may not choose the file or environment variable a credential is read from: write ` +
            `${base}: "\${${snake(base)}}" and ${howToGive(snake(base))}`,
        };
      }
      const p = mustBeSecretRef(path, value, EXACT_REF, defs, snake(key));
      if (p) return p;
      continue;
    } else if (key === 'headers' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, v] of Object.entries(value)) {
        if (!CREDENTIAL_HEADER.test(name)) continue;
        const p = mustBeSecretRef(`${path}.${name}`, v, HEADER_REF, defs, 'token');
        if (p) return p;
      }
      for (const [p, text] of strings(value, path)) {
        const secret = varRefs(text).find((n) => isSecret(defs, n));
        const header = p.slice(path.length + 1);
        if (secret && !CREDENTIAL_HEADER.test(header)) return { path: p, message: secretElsewhere(secret) };
      }
      continue;
    }
    // Anywhere else a secret would be sent or printed as something it is not (a server name, a path).
    for (const [p, text] of strings(value, path)) {
      const secret = varRefs(text).find((n) => isSecret(defs, n));
      if (secret) return { path: p, message: secretElsewhere(secret) };
    }
  }
  return undefined;
}

/**
 * Whether an option an operator gives as a row override (`--with broker.password=…`, a site file's
 * `rows:`) is a credential: it is then one of the row's secrets (never logged, and "credentials
 * were given" for the verdict), and it must name its row, never `*` (which would hand it to every
 * host the profile chose, such as a framework's telemetry endpoint).
 */
export function isCredentialOption(path: readonly string[], value: unknown): boolean {
  const [key, entry] = path;
  if (key === undefined || STAYS_LOCAL.has(key)) return false;
  if (key === 'proxy') return typeof value === 'string' && /\/\/[^/]*@/.test(value);
  if (key === 'headers') {
    if (entry !== undefined) return CREDENTIAL_HEADER.test(entry);
    return value !== null && typeof value === 'object' && Object.keys(value).some((h) => CREDENTIAL_HEADER.test(h));
  }
  return CREDENTIAL_KEY.test(key);
}

function secretElsewhere(name: string): string {
  return (
    `the secret \${${name}} may only be the whole value of a credential option (password, token, an ` +
    `Authorization header, proxy)`
  );
}

/** Hides `user:password@` in a URL for messages: one rule for every message that shows a proxy URL
 * (cut to the last `@`, so a password holding `/` or `@`, or a URL without `//`, is hidden too). */
export const redactUserinfo = redactProxyUrl;

/** Why `text` is not an HTTP CONNECT proxy URL (or `direct`), without echoing a password. */
export function proxyProblem(text: string): string | undefined {
  if (text === 'direct') return undefined;
  const shown = quote(redactUserinfo(text));
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    return `${shown} is not a proxy URL such as http://proxy.example.org:3128 (or "direct")`;
  }
  if (url.protocol !== 'http:')
    return `${shown}: only http:// proxies (HTTP CONNECT) are supported, not ${url.protocol}//`;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const bad = hostProblem(host);
  if (bad) return `${shown}: the proxy's host ${bad}`;
  if (url.port === '0') return `${shown}: port 0 cannot be a proxy's port`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return `${shown}: a proxy URL has no path or query, only http://host:port`;
  return undefined;
}
