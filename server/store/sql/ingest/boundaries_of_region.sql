-- The region's municipality boundaries (rings in CAP polygon form).
SELECT b.gm_code, b.ring FROM municipality_boundaries b JOIN municipalities m ON m.gm_code = b.gm_code
WHERE m.region_code = $1 ORDER BY b.gm_code, b.part
