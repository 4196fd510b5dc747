import { open, stat } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { BaseCommand, dataDirFlag } from '../base-command.js';
import { CliError } from '../errors.js';

const FOLLOW_POLL_MS = 250;
const TAIL_CHUNK = 64 * 1024;

export default class Logs extends BaseCommand {
  static override summary = "Show the logs of a topology's processes (gateway, cells).";
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs us1-cell-2 --lines 200',
    '<%= config.bin %> logs gateway --follow',
  ];

  static override args = {
    process: Args.string({ description: 'Process name (gateway, us1-cell-1, …); all of them when absent.' }),
  };

  static override flags = {
    'data-dir': dataDirFlag,
    lines: Flags.integer({ char: 'n', description: 'Lines from the end of each log.', default: 50, min: 0 }),
    follow: Flags.boolean({
      char: 'f',
      description: 'Keep printing what the process writes (one process only).',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { readTopologyState } = await import('@twilio-lab/topology');
    const state = await readTopologyState(flags['data-dir']);
    if (state === null) {
      throw new CliError(
        'LAB_NOT_RUNNING',
        `No topology is recorded in ${flags['data-dir']} (start one with \`twilio-lab up -t FILE\`; the embedded lab logs to its terminal).`,
      );
    }
    const names = state.processes.map((p) => p.name);
    const chosen =
      args.process === undefined ? state.processes : state.processes.filter((p) => p.name === args.process);
    if (chosen.length === 0) {
      throw new CliError(
        'UNKNOWN_PROCESS',
        `No process '${args.process}' in topology '${state.topology}'; processes: ${names.join(', ')}.`,
      );
    }
    if (flags.follow && chosen.length !== 1) {
      throw new CliError('INVALID_FLAG', `--follow needs one process: ${names.join(', ')}.`);
    }
    for (const p of chosen) {
      if (chosen.length > 1) this.log(`==> ${p.name} (${p.logFile}) <==`);
      this.log(await tail(p.logFile, flags.lines));
    }
    const only = chosen[0];
    if (flags.follow && only !== undefined) await follow(only.logFile, (text) => process.stdout.write(text));
  }
}

/** The last `lines` lines of the file ('' when it does not exist yet). */
async function tail(path: string, lines: number): Promise<string> {
  if (lines === 0) return '';
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    let position = size;
    let text = '';
    while (position > 0 && text.split('\n').length <= lines + 1) {
      const length = Math.min(TAIL_CHUNK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      text = buffer.toString('utf8') + text;
    }
    return text.replace(/\n$/, '').split('\n').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

/** Prints what is appended to the file until Ctrl-C (a restart appends to the same file). */
async function follow(path: string, write: (text: string) => void): Promise<void> {
  let offset = (await stat(path).catch(() => ({ size: 0 }))).size;
  let stopped = false;
  process.once('SIGINT', () => {
    stopped = true;
  });
  while (!stopped) {
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    const size = (await stat(path).catch(() => ({ size: offset }))).size;
    if (size < offset) offset = 0;
    if (size === offset) continue;
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      write(buffer.toString('utf8'));
      offset = size;
    } finally {
      await handle.close();
    }
  }
}
