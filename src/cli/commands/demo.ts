// fedprobe demo: stand-ins on free loopback ports for one shipped profile, a real check against
// them, and the matrix table — what `npm start` runs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { UsageError } from '../../errors.js';
import { loadProfile } from '../../profile/load.js';
import { isProbeScheme, parsePortColumn, unknownSchemeMessage } from '../../profile/target.js';
import { splitProbe } from '../../profile/probe-url.js';
import { didYouMean } from '../../profile/suggest.js';
import { STAND_INS, standInContext, type RunningStandIn } from '../../respond/kinds.js';
import type { FormatName } from '../../report/formats.js';
import type { Profile, ProbeScheme, Row } from '../../types.js';
import { toCheckOptions, withRunFlags, type RunFlags } from '../check-options.js';
import { write, type Io } from '../io.js';
import { printReport } from '../output.js';
import { progressFor } from '../progress.js';

export const DEMO_PROFILE = 'fedbiomed/node';
const TLS_SCHEMES: ReadonlySet<ProbeScheme> = new Set<ProbeScheme>(['tls', 'https', 'mqtts', 'mqtt+wss', 'grpcs']);

export interface Demo {
  profile: Profile;
  notes: string[];
  close(): Promise<void>;
}

/** Points every row at a stand-in of its protocol on 127.0.0.1; `broken` rows get a port where
 * nothing listens, as a stopped service would. */
export async function demoProfile(profile: Profile, broken: Set<string>): Promise<Demo> {
  const ctx = standInContext();
  // The stand-ins' CA is the one file the demo writes, and only for TLS rows: in the temporary
  // directory, else in /dev/shm, the tmpfs a read-only container (docker run --read-only) still has.
  let dir: string | undefined;
  const caFile = async () => {
    if (dir === undefined) {
      for (const base of [tmpdir(), '/dev/shm']) {
        dir = await mkdtemp(join(base, 'fedprobe-demo-')).catch(() => undefined);
        if (dir) break;
      }
      if (dir === undefined) {
        throw new UsageError(
          `demo: no writable temporary directory for the stand-ins' CA (${tmpdir()}, /dev/shm): ` +
            'set TMPDIR, or mount a tmpfs on /tmp',
        );
      }
      await writeFile(join(dir, 'stand-in-ca.pem'), ctx.cert().cert);
    }
    return join(dir, 'stand-in-ca.pem');
  };
  const running: RunningStandIn[] = [];
  const close = async () => {
    await Promise.all(running.map((r) => r.close()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  };
  try {
    const notes: string[] = [];
    const rows: Row[] = [];
    for (const r of profile.rows) {
      const scheme = r.probe.split('://')[0]!.toLowerCase();
      if (!isProbeScheme(scheme)) throw new UsageError(`${profile.id}: row ${r.id}: ${unknownSchemeMessage(scheme)}`);
      const { protocol } = parsePortColumn(r.port);
      const standIn = scheme === 'listen' ? STAND_INS[protocol] : STAND_INS[scheme];
      const started = await standIn.start('127.0.0.1', 0, ctx);
      if (broken.has(r.id)) await started.close();
      else running.push(started);
      const port = started.port;
      let probe: string;
      const withOpts: Record<string, unknown> = { ...(r.with ?? {}) };
      if (scheme === 'listen') probe = `listen://${protocol}/${port}`;
      else {
        // Keep the row's path and options; only the host and port move to the stand-in.
        const rest = splitProbe(r.probe).rest;
        probe = `${scheme}://127.0.0.1:${port}${rest.includes('${') ? '/' : rest}`;
        if (TLS_SCHEMES.has(scheme)) {
          withOpts.ca = await caFile();
          delete withOpts.servername;
        }
        for (const [k, v] of Object.entries(withOpts))
          if (typeof v === 'string' && v.includes('${')) delete withOpts[k];
        // A stand-in is not the framework: asking it to prove it is Flower would fail honestly.
        delete withOpts.expectService;
      }
      const answer = broken.has(r.id) ? 'nothing (broken on purpose)' : `${standIn.kind} on 127.0.0.1:${port}`;
      notes.push(`  ${r.id.padEnd(16)} ${r.port.toUpperCase().padEnd(10)} → ${answer}`);
      const { expect: _expect, ...rest } = r;
      rows.push({ ...rest, probe, with: withOpts });
    }
    return { profile: { ...profile, id: `${profile.id} (demo)`, vars: {}, rows }, notes, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export const demoCommand = (io: Io, done: (code: number) => void) => ({
  command: 'demo [profile]',
  describe: `start stand-ins on loopback for a shipped profile (default ${DEMO_PROFILE}), check it, print the table`,
  builder: (y: Argv) =>
    withRunFlags(y.positional('profile', { type: 'string', default: DEMO_PROFILE })).option('break', {
      type: 'string',
      array: true,
      describe: 'row ids to leave without a stand-in, to see a failure and its hint',
    }),
  handler: async (
    argv: RunFlags & {
      profile: string;
      break?: string[] | undefined;
      format: FormatName;
      color?: boolean | undefined;
      output?: string | undefined;
    },
  ) => {
    const opts = await toCheckOptions({ ...argv, proxy: 'direct' }, io);
    const profile = await loadProfile(argv.profile);
    const broken = new Set((argv.break ?? []).flatMap((s) => s.split(',')));
    const ids = profile.rows.map((r) => r.id);
    for (const id of broken) {
      if (ids.includes(id)) continue;
      const hint = didYouMean(id, ids);
      throw new UsageError(
        `--break: no row ${JSON.stringify(id.slice(0, 60))} in ${profile.id} ` +
          `(${hint ? `${hint} ` : ''}rows: ${ids.join(', ')})`,
      );
    }
    const demo = await demoProfile(profile, broken);
    try {
      if (argv.format === 'table') {
        write(io.stdout, `fedprobe demo: ${profile.id}, every row pointed at a stand-in on this machine's loopback:`);
        write(io.stdout, `${demo.notes.join('\n')}\n`);
      }
      const progress = progressFor(io, demo.profile, opts);
      const run = await checkProfile(demo.profile, { ...opts, ...(progress && { onResult: progress.row }) });
      progress?.end();
      const code = await printReport(run, argv.format, argv, io);
      if (argv.format === 'table') {
        // Each hint on its own short line, so that an 80-column terminal does not wrap them.
        write(io.stdout, `\nNext: fedprobe show ${profile.id}   (the matrix and its variables)`);
        write(io.stdout, `      fedprobe check ${profile.id} --set <variable>=<host>`);
        const first = profile.rows[0]!.id;
        if (broken.size === 0) write(io.stdout, `      fedprobe demo --break ${first}   (what a failure looks like)`);
      }
      done(code);
    } finally {
      await demo.close();
    }
  },
});
