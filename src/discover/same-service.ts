// On a real host a compose-started component is seen twice: as a service of the `docker compose … up` process
// (read from its compose files) and as the program itself inside the container (its own argv). Compose's labels
// (project, service) are docker's, not in /proc, so the two are matched by what /proc does show of the container
// process: the same arguments as the service's `command:`, or its HOSTNAME as the service's `hostname:`.
// Matched: one plan, the container process as more evidence and a line saying by what. A container process of
// the same kind that matches no service, or several: kept, with one line saying it may be one of them.
import type { Component } from './identify.js';

const sameArgs = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

/** Why `proc` is the container of `service`; empty when nothing shows it. */
function reasons(proc: Component, service: Component): string[] {
  const m = proc.match;
  const s = service.match;
  if (!m || !s) return [];
  return [
    ...(m.args && s.args && sameArgs(m.args, s.args) ? ['the same arguments as its command:'] : []),
    ...(m.hostname !== undefined && s.hostname === m.hostname ? [`HOSTNAME=${m.hostname} as its hostname:`] : []),
  ];
}

/** `pid 77 flower-supernode (container 3f2a1b9c0d4e)`. */
function shown(c: Component): string {
  const id = c.match?.container?.id;
  return `${c.evidence[0]}${id ? ` (container ${id})` : ''}`;
}

/** `service supernode-1 of pid 40 docker compose up`. */
const serviceName = (s: Component) => `service ${s.service} of ${s.evidence[0]!.replace(/: service [^:]*$/, '')}`;

function merge(service: Component, proc: Component, why: readonly string[]): void {
  service.evidence.push(...proc.evidence);
  const line = `${shown(proc)} is the container of service ${service.service}: ${why.join(', and ')}; one plan`;
  // What only the running process shows (its FLWR_* settings) still matters to the plan.
  const theirs = (proc.found?.notes ?? []).filter((n) => !service.found?.notes.includes(n));
  service.notes = [...(service.notes ?? []), line, ...theirs];
  // The compose files could not be read: the running process's own values are what it uses.
  if (!service.found && proc.found) {
    service.found = proc.found;
    service.profile = proc.profile;
    if (proc.from) service.from = proc.from;
    delete service.problem;
  }
}

/** The components with each container process merged into the compose service it is, when that can be told. */
export function sameService(components: readonly Component[]): Component[] {
  const services = components.filter((c) => c.service !== undefined);
  const out: Component[] = [];
  for (const c of components) {
    const kin = c.match?.container ? services.filter((s) => s.family === c.family) : [];
    if (c.service !== undefined || !kin.length) {
      out.push(c);
      continue;
    }
    const hits = kin.filter((s) => reasons(c, s).length);
    if (hits.length === 1) {
      merge(hits[0]!, c, reasons(c, hits[0]!));
      continue;
    }
    const which = (hits.length ? hits : kin).map(serviceName).join('; ');
    const why = hits.length
      ? `several match (${reasons(c, hits[0]!).join(', ')})`
      : "its arguments differ from each one's command: and no hostname: matches its HOSTNAME";
    const line =
      `${shown(c)} may be the same service as ${hits.length || kin.length > 1 ? 'one of: ' : ''}${which} ` +
      `(compose's labels are not readable from /proc; ${why}): two plans, check one`;
    out.push({ ...c, notes: [...(c.notes ?? []), line] });
  }
  return out;
}
