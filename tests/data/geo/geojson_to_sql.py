#!/usr/bin/env python3
"""Writes the INSERT rows of a municipality_boundaries migration from a GeoJSON FeatureCollection.

Usage: geojson_to_sql.py FILE.geojson SOURCE-LABEL > rows.sql

Each feature needs properties.statcode (the CBS gm_code); a Polygon gives part 1, a MultiPolygon
parts 1..n. Only outer rings are kept (holes are not modelled). Rings are written in the CAP polygon
form "lat,lon lat,lon ..." and closed. Refuses rings of more than 200 vertices: simplify first with a
topology-aware tool (mapshaper -simplify keep-shapes) so that neighbours keep their shared edges.
"""
import json
import sys

MAX_VERTICES = 200


def fmt(x):
    return f"{x:.6f}".rstrip("0").rstrip(".")


def main():
    path, label = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    rows = []
    for feature in sorted(features, key=lambda f: f["properties"]["statcode"]):
        code = feature["properties"]["statcode"]
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for part, polygon in enumerate(polygons, start=1):
            ring = polygon[0]
            if ring[0] != ring[-1]:
                ring = ring + [ring[0]]
            if len(ring) > MAX_VERTICES:
                sys.exit(f"{code} part {part}: {len(ring)} vertices; simplify first")
            text = " ".join(f"{fmt(lat)},{fmt(lon)}" for lon, lat in ring)
            rows.append(f"    ('{code}', {part}, '{text}',\n     '{label}')")
    print("INSERT INTO municipality_boundaries (gm_code, part, ring, source) VALUES")
    print(",\n".join(rows) + ";")


if __name__ == "__main__":
    main()
