/**
 * Where the `cilium-verify` subcommands write: one line (or block of lines) per call, to stdout
 * or stderr. Tests pass their own.
 */

/** Output of a subcommand. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

let epipeGuard = false;
function guardEpipe(): void {
  if (epipeGuard) return;
  epipeGuard = true;
  // a closed pipe (`cilium-verify flows x | head`) is not an error
  process.stdout.on('error', (e: any) => {
    if (e && e.code === 'EPIPE') return;
    throw e;
  });
}

/** The process's stdout and stderr. */
export const STD_IO: CliIo = {
  out: (l) => {
    guardEpipe();
    process.stdout.write(l + '\n');
  },
  err: (l) => process.stderr.write(l + '\n'),
};

/** Waits until what was written to stdout/stderr is flushed (bin/cilium-verify calls process.exit). */
export function flushed(): Promise<void> {
  const one = (s: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (s.destroyed || !s.writable) return resolve();
      s.write('', () => resolve());
    });
  return Promise.all([one(process.stdout), one(process.stderr)]).then(() => undefined);
}
