/** fast-check arbitraries shared by the property tests. */
import fc from "fast-check";
import { MAX_EPOCH_MS } from "../../shared/contract.ts";

/** A reading that satisfies telemetry v1, sometimes with an unknown field. */
export const validTelemetry = fc.record(
  {
    vehicleId: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
    timestamp: fc.oneof(
      fc.integer({ min: 0, max: MAX_EPOCH_MS }),
      fc
        .date({ min: new Date(0), max: new Date("9999-12-30T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString()),
    ),
    speedKmh: fc.double({ min: 0, max: 400, noNaN: true }),
    location: fc.record({
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
    }),
    heading: fc.double({ min: 0, max: 359.99, noNaN: true }),
    engine: fc.record({ rpm: fc.integer({ min: 0, max: 20_000 }) }, { requiredKeys: [] }),
    extra: fc.string(),
  },
  { requiredKeys: ["vehicleId", "timestamp", "speedKmh"] },
);
