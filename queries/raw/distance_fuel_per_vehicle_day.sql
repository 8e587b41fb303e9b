-- The raw layer's form of queries/distance_fuel_per_vehicle_day.sql (as it was before the named
-- query moved to the curated table): kept to compare the two layers' answers and bytes read; not a named query.
-- Distance driven (odometer) and fuel used (sum of the falls in fuel level, in percentage points
-- of the tank; a rise is a refuel and is counted apart) per vehicle per day (UTC, by event time),
-- from the deliveries of the last 7 days.
-- Safe against re-deliveries: readings are made distinct before their steps are taken.
WITH readings AS (
  SELECT DISTINCT vehicleId, eventTime, odometerKm, fuelLevelPct
  FROM telemetry_raw
  WHERE odometerKm IS NOT NULL
    AND fuelLevelPct IS NOT NULL
    AND year * 10000 + month * 100 + day >= CAST(date_format(current_timestamp - INTERVAL '7' DAY, '%Y%m%d') AS INTEGER)
),
steps AS (
  SELECT
    vehicleId,
    CAST(from_iso8601_timestamp(eventTime) AS DATE) AS event_date,
    odometerKm,
    fuelLevelPct - lag(fuelLevelPct) OVER (PARTITION BY vehicleId ORDER BY eventTime) AS fuel_change
  FROM readings
)
SELECT
  vehicleId AS vehicle_id,
  event_date,
  round(max(odometerKm) - min(odometerKm), 2) AS distance_km,
  round(sum(CASE WHEN fuel_change < 0 THEN -fuel_change ELSE 0 END), 1) AS fuel_used_pct,
  count_if(fuel_change > 0) AS refuels
FROM steps
GROUP BY vehicleId, event_date
ORDER BY vehicle_id, event_date
