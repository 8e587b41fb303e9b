/**
 * The curated layer's figure in short (npm run curated-figure measures the full simulated day): a
 * smaller fleet's day, delivered as raw and merged hour by hour into the curated layer, each moved
 * query run on both layers. Every answer agrees between the layers and the curated layer reads
 * fewer bytes for each; over-speed per day reads at least 10× fewer (its target, met at this scale
 * too). The bytes are measured, not asserted as timings.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { costModel, type Figure, measureFigure } from "../../tools/query/figure.ts";

const dir = mkdtempSync(join(tmpdir(), "curated-figure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the curated layer's figure, short", () => {
  let figure: Figure;

  it("agrees with raw on every moved query and reads fewer bytes for each", { timeout: 240_000 }, async () => {
    figure = await measureFigure({
      dir,
      vehicles: 20,
      intervalS: 120,
      hours: 24,
      seed: 5,
      lateShare: 0.01,
      redeliveredShare: 0.01,
      rowGroupRows: 2_000,
    });

    expect(figure.curatedRows).toBe(figure.readings);
    expect(figure.rawLines).toBeGreaterThan(figure.readings);
    expect(figure.queries.map((q) => q.name).sort()).toEqual([
      "distance_fuel_per_vehicle_day",
      "latest_position",
      "over_speed_per_vehicle_day",
    ]);
    for (const q of figure.queries) {
      expect(q.sameAnswer, q.name).toBe(true);
      expect(q.curatedBytes, q.name).toBeLessThan(q.rawBytes);
    }
    const overSpeed = figure.queries.find((q) => q.name === "over_speed_per_vehicle_day");
    expect((overSpeed?.rawBytes ?? 0) / (overSpeed?.curatedBytes ?? 1)).toBeGreaterThanOrEqual(10);
  });

  it("prices a 10,000-vehicle fleet's queries from the measured bytes per reading, a week for the daily ones", () => {
    const cost = costModel(figure);
    const latest = cost.find((c) => c.name === "latest_position");
    const overSpeed = cost.find((c) => c.name === "over_speed_per_vehicle_day");
    const measured = figure.queries.find((q) => q.name === "latest_position");

    expect(latest?.rawBytes).toBeCloseTo(((measured?.rawBytes ?? 0) / figure.readings) * 864_000_000, 0);
    expect(overSpeed?.rawBytes ?? 0).toBeCloseTo((latest?.rawBytes ?? 0) * 7, -3);
    expect(latest?.rawUsd).toBeCloseTo(((latest?.rawBytes ?? 0) / 1e12) * 5, 6);
  });
});
