/**
 * What the main job prints of the two layers (tools/query/report.ts): answers compared across the
 * layers (a TIMESTAMP equal to the contract's ISO text of the same instant, nothing else loosened),
 * the bytes line, the layer a query reads.
 */
import { describe, expect, it } from "vitest";
import type { QueryResult } from "../../../tools/query/duckdb.ts";
import { bytesLine, layerOf, sameAnswer } from "../../../tools/query/report.ts";

const result = (rows: QueryResult["rows"], sql = "SELECT 1 FROM telemetry_curated"): QueryResult => ({
  name: "q",
  sql,
  columns: Object.keys(rows[0] ?? { a: 1 }),
  rows,
  bytesRead: 1,
});

describe("sameAnswer", () => {
  it("takes a TIMESTAMP and the ISO text of the same instant as equal, and numbers to 1e-9", () => {
    expect(
      sameAnswer(
        result([{ t: "2026-11-22 21:00:00.5", x: 0.1 + 0.2 }]),
        result([{ t: "2026-11-22T21:00:00.500Z", x: 0.3 }]),
      ),
    ).toBe(true);
  });

  it("tells apart another instant, another value, another row count or another column", () => {
    const base = result([{ t: "2026-11-22 21:00:00", x: 1 }]);
    expect(sameAnswer(base, result([{ t: "2026-11-22T21:00:01.000Z", x: 1 }]))).toBe(false);
    expect(sameAnswer(base, result([{ t: "2026-11-22 21:00:00", x: 1.001 }]))).toBe(false);
    expect(sameAnswer(base, result([...base.rows, ...base.rows]))).toBe(false);
    expect(sameAnswer(base, result([{ u: "2026-11-22 21:00:00", x: 1 }]))).toBe(false);
    expect(sameAnswer(result([{ v: "VIN-1" }]), result([{ v: "VIN-2" }]))).toBe(false);
  });
});

describe("bytesLine and layerOf", () => {
  it("states both layers' bytes and how many times fewer curated read", () => {
    expect(bytesLine(1_048_259, 59_384)).toBe("raw 1,048,259 B · curated 59,384 B (17.7× fewer)");
    expect(bytesLine(undefined, 10)).toBe("raw ? B (no /proc/self/io here) · curated 10 B");
  });

  it("names the layer a query reads by its table", () => {
    expect(layerOf(result([], "SELECT 1 FROM telemetry_curated"))).toBe("curated");
    expect(layerOf(result([], "SELECT 1 FROM telemetry_raw"))).toBe("raw");
  });
});
