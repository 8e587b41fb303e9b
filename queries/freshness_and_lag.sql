-- Data freshness (seconds from the newest event time delivered to now) and arrival lag (Kinesis
-- arrival − event time) percentiles, over the deliveries of the last 24 hours.
-- Safe against re-deliveries: readings are made distinct (ingest.recordId) before the percentiles.
WITH recent AS (
  SELECT DISTINCT ingest.recordId AS record_id, eventTime, ingest.arrivalLagMs AS lag_ms
  FROM telemetry_raw
  WHERE year * 1000000 + month * 10000 + day * 100 + hour
    >= CAST(date_format(current_timestamp - INTERVAL '24' HOUR, '%Y%m%d%H') AS INTEGER)
)
SELECT
  date_diff('second', max(from_iso8601_timestamp(eventTime)), current_timestamp) AS freshness_s,
  count(*) AS readings,
  round(approx_percentile(lag_ms, 0.5)) AS lag_p50_ms,
  round(approx_percentile(lag_ms, 0.95)) AS lag_p95_ms,
  round(approx_percentile(lag_ms, 0.99)) AS lag_p99_ms,
  max(lag_ms) AS lag_max_ms
FROM recent
