-- The raw layer's form of queries/latest_position.sql (as it was before the named query moved to
-- the curated table): kept to compare the two layers' answers and bytes read; not a named query.
-- Latest known position of each vehicle: where it was, when, and how fast it went, from the
-- deliveries of the last 24 hours (a vehicle silent for longer does not appear).
-- Safe against re-deliveries: a copy carries the same reading, so max_by picks the same values.
SELECT
  vehicleId AS vehicle_id,
  max(eventTime) AS event_time,
  max_by(location.lat, eventTime) AS lat,
  max_by(location.lon, eventTime) AS lon,
  max_by(speedKmh, eventTime) AS speed_kmh
FROM telemetry_raw
WHERE location IS NOT NULL
  AND year * 1000000 + month * 10000 + day * 100 + hour
    >= CAST(date_format(current_timestamp - INTERVAL '24' HOUR, '%Y%m%d%H') AS INTEGER)
GROUP BY vehicleId
ORDER BY vehicle_id
