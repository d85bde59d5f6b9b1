// `fedprobe discover`: which framework components run here, the profile that fits each, and the
// exact `fedprobe check` command for it, from /proc alone (no traffic).
import { checkCommand, foundAssignments, shellWord } from '../frameworks/found.js';
import { loadProfile } from '../profile/load.js';
import { listeningSockets } from '../probers/listen.js';
import { terminalText as t } from '../escape.js';
import { identify, type Component } from './identify.js';
import { listProcesses } from './proc.js';

export interface DiscoverOptions {
  procRoot?: string;
}

interface Plan extends Component {
  /** --set values, from the component's own configuration. */
  set: Record<string, string>;
  /** Variables the profile needs that nothing here gave: the operator's --set. */
  missing: string[];
  /** `fedprobe check PROFILE --set k=v …`, ready to paste. */
  command: string;
  /** `fedprobe check --from PATH`: the same values read again, each with its source in the report. */
  fromCommand?: string;
}

export interface Discovery {
  plans: Plan[];
  /** Pids whose command line could not be read (hidepid, another user's process): said, not guessed. */
  unreadable: string[];
  /** One line per `docker compose up` whose compose files could not be read. */
  problems: string[];
}

export async function discover(opts: DiscoverOptions = {}): Promise<Discovery> {
  const procRoot = opts.procRoot ?? '/proc';
  const [{ procs, unreadable }, tcp] = await Promise.all([listProcesses(procRoot), listeningSockets('tcp', procRoot)]);
  const { components, problems } = await identify(procs, tcp, procRoot);
  const plans: Plan[] = [];
  for (const c of components) {
    const set = c.found ? foundAssignments(c.found) : {};
    const vars = (await loadProfile(c.profile)).vars;
    const missing = Object.entries(vars)
      .filter(
        ([name, def]) => def.default === undefined && set[name] === undefined && set[`${name}_file`] === undefined,
      )
      .map(([name]) => name);
    // Values its configuration sets but that cannot be read from here: asked for, never left to a default.
    missing.push(...Object.keys(c.found?.unknown ?? {}).filter((n) => !missing.includes(n)));
    // --from picks the same profile from what it reads; what it cannot give is asked for, as in `command`.
    const fromCommand =
      c.from !== undefined && c.found
        ? [
            'fedprobe check',
            ...c.from.flatMap((f) => ['--from', shellWord(f)]),
            ...missing.map((m) => `--set ${m}=…`),
          ].join(' ')
        : undefined;
    plans.push({ ...c, set, missing, command: checkCommand(c.profile, set), ...(fromCommand && { fromCommand }) });
  }
  return { plans, unreadable, problems };
}

/** `1, 3, 6` — at most ten, then how many more. */
function shortList(pids: readonly string[]): string {
  return pids.length > 10 ? `${pids.slice(0, 10).join(', ')} and ${pids.length - 10} more` : pids.join(', ');
}

/** What `discover` prints on stdout: per component its evidence, values, notes and command. */
export function renderPlans({ plans, unreadable, problems }: Discovery): string {
  // One line for all processes that could not be read: what they run is not known, not guessed.
  const n = unreadable.length;
  const hidden = n
    ? `\n${n} process${n > 1 ? 'es' : ''} (pid ${shortList(unreadable)}) could not be read (their ` +
      '/proc/PID/cmdline: permission denied): what they run is not known; run discover as root to see them\n'
    : '';
  const composeLines = problems.map((p) => `${t(p)}\n`).join('');
  if (!plans.length)
    return (
      'no Fed-BioMed, Flower or HPE Swarm Learning component found here (no known process or listening port)\n' +
      composeLines +
      hidden
    );
  const blocks = plans.map((p) => {
    // What a process's argv or a configuration file says is shown, never acted on by the terminal.
    const lines = [`${p.profile}: ${t(p.evidence.join('; '))}`];
    for (const [k, v] of Object.entries(p.found?.vars ?? {})) lines.push(`  ${k} = ${t(v.value)}  (${t(v.source)})`);
    for (const n of [...(p.found?.notes ?? []), ...(p.notes ?? [])]) lines.push(`  note: ${t(n)}`);
    for (const why of Object.values(p.found?.unknown ?? {})) lines.push(`  not known here: ${t(why)}`);
    if (p.problem) lines.push(`  cannot read its configuration: ${t(p.problem)}`);
    if (p.missing.length) lines.push(`  still needed: ${p.missing.map((m) => `--set ${m}=…`).join(' ')}`);
    lines.push(`  ${t(p.command)}`);
    if (p.fromCommand) lines.push(`  ${t(p.fromCommand)}   # the same, read again: each value's source in the report`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n${composeLines ? `\n${composeLines}` : ''}${hidden}`;
}
