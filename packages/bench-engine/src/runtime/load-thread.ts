/**
 * What a load thread does with its assignment: runs every scenario share, flushes a metrics
 * window every second of the run, and reports what it saw. Independent of worker_threads so
 * the same code runs in a worker (worker.ts) or, for tests, in the calling thread.
 */
import type { MetricsWindow } from '../metrics.js';
import { nowMs } from './clock.js';
import { runScenarioShare } from './executors.js';
import type { CallbackBroker } from './flows/types.js';
import { HttpClients } from './http-clients.js';
import type { ScenarioStats, WorkerAssignment } from './protocol.js';
import { MetricsRecorder } from './recorder.js';

export const WINDOW_MS = 1_000;

/** Snapshots a recorder once per second of the run, aligned to the run's start. */
export class WindowClock {
  private index = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly epochMs: number,
    private readonly recorder: MetricsRecorder,
    private readonly emit: (window: MetricsWindow) => void,
  ) {}

  start(): void {
    const arm = (): void => {
      const due = this.epochMs + (this.index + 1) * WINDOW_MS;
      this.timer = setTimeout(
        () => {
          this.emit(this.recorder.snapshot(this.index * WINDOW_MS, (this.index + 1) * WINDOW_MS));
          this.index++;
          arm();
        },
        Math.max(0, due - nowMs()),
      );
    };
    arm();
  }

  /** Stops the clock and returns the last (possibly shorter) window. */
  stop(): MetricsWindow {
    clearTimeout(this.timer);
    const endMs = Math.max(this.index * WINDOW_MS, Math.round(nowMs() - this.epochMs));
    return this.recorder.snapshot(this.index * WINDOW_MS, endMs);
  }
}

export async function runAssignment(
  assignment: WorkerAssignment,
  io: {
    callbacks: CallbackBroker | undefined;
    signal: AbortSignal;
    onWindow: (window: MetricsWindow) => void;
  },
): Promise<{ stats: ScenarioStats[]; window: MetricsWindow }> {
  const recorder = new MetricsRecorder();
  const http = new HttpClients(assignment.connections);
  const clock = new WindowClock(assignment.epochMs, recorder, io.onWindow);
  clock.start();
  try {
    const stats = await Promise.all(
      assignment.scenarios.map((ws) =>
        runScenarioShare(ws, {
          epochMs: assignment.epochMs,
          latenessToleranceMs: assignment.latenessToleranceMs,
          recorder,
          runSignal: io.signal,
          env: {
            recorder,
            target: assignment.target,
            http,
            sinkUrl: assignment.sinkUrl,
            callbacks: io.callbacks,
          },
        }),
      ),
    );
    return { stats, window: clock.stop() };
  } finally {
    clock.stop();
    await http.close();
  }
}
