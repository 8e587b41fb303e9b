-- The raw layer's form of queries/over_speed_per_vehicle_day.sql (as it was before the named query
-- moved to the curated table): kept to compare the two layers' answers and bytes read; not a named query.
-- Over-speed readings (speed above the stack's SpeedLimitKmh) per vehicle per day (UTC, by event
-- time), from the deliveries of the last 7 days, most over-speed first.
-- Safe against re-deliveries: each reading counts once (distinct ingest.recordId).
SELECT
  vehicleId AS vehicle_id,
  CAST(from_iso8601_timestamp(eventTime) AS DATE) AS event_date,
  count(DISTINCT ingest.recordId) AS over_speed_readings,
  max(speedKmh) AS max_speed_kmh
FROM telemetry_raw
WHERE overSpeedLimit
  AND year * 10000 + month * 100 + day >= CAST(date_format(current_timestamp - INTERVAL '7' DAY, '%Y%m%d') AS INTEGER)
GROUP BY vehicleId, CAST(from_iso8601_timestamp(eventTime) AS DATE)
ORDER BY over_speed_readings DESC, vehicle_id, event_date
