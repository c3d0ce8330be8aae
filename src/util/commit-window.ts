/**
 * The commit window: the stretch of a run during which the destination is changing and an interrupt can
 * no longer take the change back (a BigQuery swap transaction already submitted). The CLI's Ctrl-C
 * handler asks `committing()` so it never says "nothing changed" while a commit may still land.
 * One per process; nested windows are not supported (a run commits once).
 */
let current: string | undefined;

/**
 * Runs `work` inside the commit window described by `what` (a noun phrase, such as "the BigQuery swap
 * (job notion_stream_x_swap)"), and closes the window when it settles.
 */
export async function duringCommit<T>(what: string, work: () => Promise<T>): Promise<T> {
  current = what;
  try {
    return await work();
  } finally {
    current = undefined;
  }
}

/** What is being committed right now, or undefined outside the commit window. */
export function committing(): string | undefined {
  return current;
}
