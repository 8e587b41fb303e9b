-- Readings delivered more than once (at-least-once delivery: a retried batch re-delivers its
-- records with the same ingest.recordId), in the deliveries of the last 24 hours; change the
-- bound on the partition keys (year, month, day, hour: Firehose's arrival hour, UTC) for another range.
SELECT
  ingest.recordId AS record_id,
  vehicleId AS vehicle_id,
  min(eventTime) AS event_time,
  count(*) AS copies,
  min(ingest.processedAt) AS first_processed_at,
  max(ingest.processedAt) AS last_processed_at
FROM telemetry_raw
WHERE year * 1000000 + month * 10000 + day * 100 + hour
  >= CAST(date_format(current_timestamp - INTERVAL '24' HOUR, '%Y%m%d%H') AS INTEGER)
GROUP BY ingest.recordId, vehicleId
HAVING count(*) > 1
ORDER BY copies DESC, record_id
