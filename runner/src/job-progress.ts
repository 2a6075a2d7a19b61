/**
 * The main job's progress, for the person watching it: one line as each part begins, with the time
 * gone and a rough time left, from what each part took on a two-core machine. The benchmarks print
 * their own finer lines ([bench] …), each with its time left.
 */
export interface JobPart {
  title: string;
  /** About how long it takes on a two-core machine, in seconds. */
  expectedSeconds: number;
}

const clock = (seconds: number) => (seconds < 60 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`);

export function jobProgress(parts: readonly JobPart[], print: (line: string) => void = console.log): { begin(index: number): void; elapsedSeconds(): number } {
  const started = performance.now();
  const elapsedSeconds = () => (performance.now() - started) / 1000;
  return {
    elapsedSeconds,
    begin(index) {
      const part = parts[index];
      if (!part) throw new Error(`no part ${index} of ${parts.length}`);
      const left = parts.slice(index).reduce((sum, p) => sum + p.expectedSeconds, 0);
      print(`\n== ${index + 1}/${parts.length} ${part.title}  (${clock(elapsedSeconds())} gone, about ${clock(left)} left)`);
    },
  };
}

export { clock as formatDuration };
