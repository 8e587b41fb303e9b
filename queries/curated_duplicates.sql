-- A check of the merge: readings the curated table holds more than once, over the last 7 days and
-- today by event time. It must answer no rows: each hourly merge inserts a recordId once, and its
-- reconciliation fails the execution otherwise. Re-deliveries in raw (a retried batch delivers the
-- same recordId again) are expected there; the merge keeps one copy of each.
SELECT
  recordId AS record_id,
  vehicleId AS vehicle_id,
  min(eventTime) AS event_time,
  count(*) AS copies
FROM telemetry_curated
WHERE event_day >= current_date - INTERVAL '7' DAY
GROUP BY recordId, vehicleId
HAVING count(*) > 1
ORDER BY copies DESC, record_id
