-- Latest known position of each vehicle: where it was, when, and how fast it went, from the
-- readings of the last 24 hours by event time (a vehicle silent for longer does not appear).
-- Reads the curated table: each reading once, in the day it happened.
SELECT
  vehicleId AS vehicle_id,
  max(eventTime) AS event_time,
  max_by(location.lat, eventTime) AS lat,
  max_by(location.lon, eventTime) AS lon,
  max_by(speedKmh, eventTime) AS speed_kmh
FROM telemetry_curated
WHERE location IS NOT NULL
  AND eventTime >= CAST(current_timestamp AS timestamp) - INTERVAL '24' HOUR
GROUP BY vehicleId
ORDER BY vehicle_id
