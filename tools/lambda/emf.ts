/**
 * Reads the function's own CloudWatch EMF output: while capturing, JSON lines with an `_aws` block
 * that this process writes to stdout are summed per metric instead of printed; other lines pass.
 */

export interface EmfCapture {
  /** Sum of each metric's values over every EMF line seen. */
  readonly totals: Map<string, number>;
  stop(): void;
}

export function captureEmf(): EmfCapture {
  const totals = new Map<string, number>();
  const write = process.stdout.write.bind(process.stdout);
  let partial = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    const passed: string[] = [];
    for (const line of lines) {
      if (!addMetrics(line, totals)) passed.push(line);
    }
    return passed.length === 0 ? true : write(`${passed.join("\n")}\n`, ...(rest as []));
  }) as typeof process.stdout.write;
  return {
    totals,
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
