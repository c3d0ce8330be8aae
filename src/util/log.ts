/** Where progress and warnings go. The CLI writes them to stderr; library users may pass their own. */
export interface Logger {
  /** A line the user reads after the run too (the summary, a decision the run took). */
  info(line: string): void;
  /** Something the user should act on or know (printed as `warning: <line>`). */
  warn(line: string): void;
  /**
   * The step the run is at (`Reading data source Tasks`): transient, shown in the live status line on a
   * terminal and dropped elsewhere. Optional: loggers without it drop these.
   */
  progress?(line: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {} };
