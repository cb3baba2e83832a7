-- 0006: municipality boundaries, so that a CAP <polygon> or <circle> can be mapped to the region's
-- municipalities by geometry (domain/geometry.h AreaLocator). One row per outer ring ("part"); holes
-- are not modelled. ring is the CAP polygon form "lat,lon lat,lon ...", WGS84 degrees, closed.
--
-- Provenance (real data, generalised):
--   CBS "Gebiedsindelingen" 2025, layer cbs_gemeente_2025_gegeneraliseerd, as served by PDOK
--   (https://service.pdok.nl/cbs/gebiedsindelingen/2025/wfs/v1_0, EPSG:4326), (c) CBS / Kadaster,
--   open data; attribution required.
--   Taken from the file wgs84/gemeente_2025.geojson of the public GitHub repository cartomap/nl at
--   commit d12a9a9b777940999b929c805730b19d330aaae7, whose build script (create_geojson.bash) fetched
--   that WFS layer and ran `mapshaper -simplify 10% keep-shapes ... precision=0.001`. The repository
--   has no LICENSE file; its package.json says "GPL-2" (for the scripts); the boundaries are CBS's.
--   The 11 VR21 features were copied unchanged (8 to 34 vertices each, no further simplification)
--   to tests/data/geo/vr21_gemeenten_2025.geojson; the rows below were generated from that file by
--   tests/data/geo/geojson_to_sql.py. Neighbours share their edges exactly (topology-preserving
--   simplification): no gaps, no overlaps.
--   Accuracy: coordinates are rounded to 0.001 degree (~110 m north-south, ~70 m east-west) and
--   simplified to ~10% of the generalised layer's vertices, so a boundary may be off by several hundred
--   metres, locally up to ~1 km. Good enough to say which municipalities an alert area touches; not
--   for deciding which side of a border a single address lies.
--
-- Another region: migrations are forward-only and checksummed, so never edit this file. Add a new
-- migration that seeds the other region's municipalities (as 0002 does) and then
--   DELETE FROM municipality_boundaries;   -- or only the rows of the municipalities replaced
--   INSERT INTO municipality_boundaries (gm_code, part, ring, source) VALUES ...;
-- generated the same way: take the region's features from the CBS gemeente layer of the year wanted
-- (simplified topology-aware to at most ~200 vertices per ring), save them as a GeoJSON
-- FeatureCollection with properties.statcode, and run geojson_to_sql.py on it. A yearly municipal
-- merger is handled the same way: a new migration replaces the merged municipalities' rows.

CREATE TABLE municipality_boundaries (
    gm_code  text NOT NULL REFERENCES municipalities (gm_code),
    part     int  NOT NULL CHECK (part > 0),
    ring     text NOT NULL,        -- "lat,lon lat,lon ...", closed
    source   text NOT NULL,
    PRIMARY KEY (gm_code, part)
);

INSERT INTO municipality_boundaries (gm_code, part, ring, source) VALUES
    ('GM0755', 1, '51.623,5.75 51.629,5.665 51.623,5.627 51.606,5.643 51.582,5.651 51.584,5.699 51.594,5.759 51.623,5.75',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0757', 1, '51.635,5.318 51.625,5.304 51.622,5.281 51.613,5.269 51.604,5.276 51.59,5.248 51.579,5.246 51.553,5.273 51.546,5.308 51.551,5.333 51.545,5.357 51.548,5.404 51.572,5.399 51.603,5.381 51.601,5.353 51.617,5.343 51.635,5.318',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0796', 1, '51.729,5.474 51.726,5.463 51.751,5.444 51.765,5.439 51.76,5.391 51.753,5.374 51.755,5.354 51.737,5.296 51.74,5.283 51.734,5.245 51.741,5.231 51.741,5.206 51.724,5.231 51.711,5.23 51.695,5.248 51.69,5.226 51.683,5.247 51.682,5.289 51.667,5.299 51.67,5.319 51.664,5.339 51.68,5.372 51.697,5.366 51.701,5.43 51.688,5.457 51.706,5.492 51.729,5.474',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0797', 1, '51.742,5.186 51.738,5.128 51.722,5.082 51.709,5.109 51.677,5.102 51.636,5.106 51.64,5.16 51.655,5.154 51.669,5.167 51.674,5.223 51.69,5.226 51.695,5.248 51.711,5.23 51.724,5.231 51.741,5.206 51.742,5.186',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0828', 1, '51.828,5.598 51.828,5.558 51.816,5.541 51.829,5.486 51.815,5.474 51.81,5.439 51.821,5.415 51.821,5.402 51.79,5.369 51.755,5.354 51.753,5.374 51.76,5.391 51.765,5.439 51.751,5.444 51.726,5.463 51.729,5.474 51.741,5.534 51.731,5.581 51.745,5.576 51.764,5.649 51.759,5.691 51.775,5.711 51.788,5.694 51.798,5.657 51.82,5.635 51.828,5.598',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0845', 1, '51.688,5.457 51.701,5.43 51.697,5.366 51.68,5.372 51.664,5.339 51.67,5.319 51.666,5.304 51.65,5.319 51.635,5.318 51.617,5.343 51.601,5.353 51.603,5.381 51.606,5.395 51.634,5.375 51.644,5.38 51.654,5.423 51.664,5.445 51.688,5.457',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM0865', 1, '51.67,5.319 51.667,5.299 51.682,5.289 51.683,5.247 51.69,5.226 51.674,5.223 51.669,5.167 51.655,5.154 51.64,5.16 51.639,5.192 51.616,5.211 51.625,5.255 51.613,5.269 51.622,5.281 51.625,5.304 51.635,5.318 51.65,5.319 51.666,5.304 51.67,5.319',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM1721', 1, '51.731,5.581 51.741,5.534 51.729,5.474 51.706,5.492 51.688,5.457 51.664,5.445 51.654,5.423 51.643,5.466 51.627,5.497 51.63,5.524 51.651,5.57 51.663,5.562 51.68,5.576 51.691,5.597 51.708,5.6 51.731,5.581',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM1948', 1, '51.654,5.423 51.644,5.38 51.634,5.375 51.606,5.395 51.603,5.381 51.572,5.399 51.548,5.404 51.534,5.424 51.542,5.487 51.521,5.5 51.525,5.531 51.538,5.547 51.558,5.533 51.563,5.584 51.553,5.622 51.57,5.652 51.582,5.651 51.606,5.643 51.623,5.627 51.651,5.57 51.63,5.524 51.627,5.497 51.643,5.466 51.654,5.423',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM1982', 1, '51.758,5.864 51.759,5.852 51.752,5.78 51.759,5.745 51.773,5.73 51.775,5.711 51.759,5.691 51.75,5.703 51.739,5.698 51.73,5.711 51.711,5.7 51.678,5.734 51.623,5.75 51.594,5.759 51.598,5.787 51.579,5.801 51.566,5.838 51.56,5.891 51.552,5.907 51.554,5.935 51.57,6.004 51.552,6.032 51.558,6.048 51.582,6.04 51.596,6.026 51.622,6.02 51.644,5.977 51.657,5.963 51.676,5.965 51.709,5.955 51.718,5.919 51.728,5.885 51.75,5.88 51.758,5.864',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson'),
    ('GM1991', 1, '51.623,5.75 51.678,5.734 51.711,5.7 51.73,5.711 51.739,5.698 51.75,5.703 51.759,5.691 51.764,5.649 51.745,5.576 51.731,5.581 51.708,5.6 51.691,5.597 51.68,5.576 51.663,5.562 51.651,5.57 51.623,5.627 51.629,5.665 51.623,5.75',
     'CBS cbs_gemeente_2025_gegeneraliseerd via cartomap/nl d12a9a9b wgs84/gemeente_2025.geojson');
