/** One problem in a scenario file. */
export interface ScenarioIssue {
  /** Where, as people write it: 'scenarios.storm.stages[1].target' ('' for the whole file). */
  path: string;
  message: string;
  /** 1-based position in the file, when it could be located. */
  line?: number;
  col?: number;
}

/** Exit code for an invalid scenario or topology file (k6 convention, see DESIGN.md). */
export const SCENARIO_INVALID_EXIT_CODE = 104;

/** A scenario file that cannot be used; `issues` lists EVERY problem found, not just the first. */
export class ScenarioError extends Error {
  readonly code = 'SCENARIO_INVALID';
  readonly exitCode = SCENARIO_INVALID_EXIT_CODE;
  /** The file name (or whatever the text came from). */
  readonly source: string;
  readonly issues: readonly ScenarioIssue[];

  constructor(source: string, issues: readonly ScenarioIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `Invalid scenario file ${source} (${count}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
    this.name = 'ScenarioError';
    this.source = source;
    this.issues = issues;
  }
}

/** 'scenarios.storm.rate: expected a number (line 7:11)'. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}:${issue.col ?? 1})`;
  return `${issue.path === '' ? '(file)' : issue.path}: ${issue.message}${where}`;
}
