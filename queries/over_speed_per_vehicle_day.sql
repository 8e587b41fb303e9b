-- Over-speed readings (speed above the stack's SpeedLimitKmh) per vehicle per day (UTC, by event
-- time), over the last 7 days and today, most over-speed first.
-- Reads the curated table: each reading once, so a plain count.
SELECT
  vehicleId AS vehicle_id,
  event_day AS event_date,
  count(*) AS over_speed_readings,
  max(speedKmh) AS max_speed_kmh
FROM telemetry_curated
WHERE overSpeedLimit
  AND event_day >= current_date - INTERVAL '7' DAY
GROUP BY vehicleId, event_day
ORDER BY over_speed_readings DESC, vehicle_id, event_date
