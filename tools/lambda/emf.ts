/**
 * Reads the function's own CloudWatch EMF output: JSON lines with an `_aws` block, summed per metric.
 * From a local Lambda's runtime (`emfTotals`, fed its lines), or from a bundle loaded in this
 * process (`captureEmf`, which reads this process's stdout).
 */

export interface EmfTotals {
  /** Sum of each metric's values over every EMF line seen. */
  readonly totals: Map<string, number>;
  /** Adds the metrics of `line`; false when it is no EMF line. */
  add(line: string): boolean;
}

export interface EmfCapture {
  readonly totals: Map<string, number>;
  stop(): void;
}

/** An empty sum, to be fed lines. */
export function emfTotals(): EmfTotals {
  const totals = new Map<string, number>();
  return { totals, add: (line) => addMetrics(line, totals) };
}

/** While capturing, EMF lines this process writes to stdout are summed instead of printed; other lines pass. */
export function captureEmf(): EmfCapture {
  const emf = emfTotals();
  const write = process.stdout.write.bind(process.stdout);
  let partial = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    const passed = lines.filter((line) => !emf.add(line));
    return passed.length === 0 ? true : write(`${passed.join("\n")}\n`, ...(rest as []));
  }) as typeof process.stdout.write;
  return {
    totals: emf.totals,
    stop() {
      process.stdout.write = write;
      if (partial !== "") write(partial);
    },
  };
}

function addMetrics(line: string, totals: Map<string, number>): boolean {
  if (!line.startsWith("{") || !line.includes('"_aws"')) return false;
  try {
    const blob = JSON.parse(line) as { _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } } & Record<
      string,
      unknown
    >;
    for (const directive of blob._aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of directive.Metrics ?? []) {
        const value = blob[Name];
        const values = Array.isArray(value) ? value : [value];
        for (const v of values) if (typeof v === "number") totals.set(Name, (totals.get(Name) ?? 0) + v);
      }
    }
    return true;
  } catch {
    return false;
  }
}
