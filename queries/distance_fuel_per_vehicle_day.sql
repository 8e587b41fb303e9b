-- Distance driven (odometer) and fuel used (sum of the falls in fuel level, in percentage points
-- of the tank; a rise is a refuel and is counted apart) per vehicle per day (UTC, by event time),
-- over the last 7 days and today.
-- Reads the curated table: each reading once, so its steps are taken as they are.
WITH steps AS (
  SELECT
    vehicleId,
    event_day,
    odometerKm,
    fuelLevelPct - lag(fuelLevelPct) OVER (PARTITION BY vehicleId ORDER BY eventTime) AS fuel_change
  FROM telemetry_curated
  WHERE odometerKm IS NOT NULL
    AND fuelLevelPct IS NOT NULL
    AND event_day >= current_date - INTERVAL '7' DAY
)
SELECT
  vehicleId AS vehicle_id,
  event_day AS event_date,
  round(max(odometerKm) - min(odometerKm), 2) AS distance_km,
  round(sum(CASE WHEN fuel_change < 0 THEN -fuel_change ELSE 0 END), 1) AS fuel_used_pct,
  count_if(fuel_change > 0) AS refuels
FROM steps
GROUP BY vehicleId, event_day
ORDER BY vehicle_id, event_date
