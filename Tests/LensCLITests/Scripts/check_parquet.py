"""Reads a lens Parquet export with pyarrow and DuckDB and checks it against the source CSVs.

Usage: check_parquet.py OUT_DIR DROP_DIR
Prints "ok" and exits 0, or prints what differs and exits 1. Used by ParquetReadersTests.swift.
"""
import csv
import json
import os
import sys

import duckdb
import pyarrow.parquet as pq

out, drop = sys.argv[1], sys.argv[2]
problems = []

EXPECTED = {  # dataset -> {column: arrow type}
    "movies": {"movie_id": "int32", "title": "string", "title_normalized": "string", "year": "int16",
               "genres": "list<element: string>", "action": "bool", "sci_fi": "bool", "no_genres": "bool",
               "source_line": "int32"},
    "links": {"movie_id": "int32", "imdb_id": "string", "tmdb_id": "int32", "source_line": "int32"},
    "tags": {"user_id": "int32", "movie_id": "int32", "tag": "string", "tag_normalized": "string",
             "tagged_at": "timestamp[us, tz=UTC]", "source_line": "int32"},
    "ratings": {"user_id": "int32", "movie_id": "int32", "rating": "float", "rated_at": "timestamp[us, tz=UTC]",
                "batch": "int8", "source_line": "int32"},
    "movie_stats": {"movie_id": "int32", "n_ratings": "int32", "mean_rating": "double",
                    "first_rated_at": "timestamp[us, tz=UTC]", "weighted_rating": "double"},
    "user_stats": {"user_id": "int32", "n_ratings": "int32", "n_ratings_winsorized": "double"},
    "quarantine": {"file": "string", "line": "int64", "raw": "string", "reason": "string"},
}
manifest = json.load(open(os.path.join(out, "manifest.json")))
for f in manifest["files"]:
    t = pq.read_table(os.path.join(out, f["path"]))
    if t.num_rows != f["rows"]:
        problems.append(f"{f['path']}: {t.num_rows} rows, manifest says {f['rows']}")
    for col, typ in EXPECTED.get(f["dataset"], {}).items():
        got = str(t.schema.field(col).type)
        if got != typ:
            problems.append(f"{f['path']}: {col} is {got}, expected {typ}")
    md = pq.ParquetFile(os.path.join(out, f["path"])).metadata
    if md.num_row_groups and md.row_group(0).num_rows > 1_048_576:
        problems.append(f"{f['path']}: row group over 1,048,576 rows")

con = duckdb.connect()
ratings = f"read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true)"
# A dozen rows of ratings.csv, by line number, equal the Parquet row that names that line.
with open(os.path.join(drop, "ratings.csv"), newline="") as fh:
    lines = list(csv.reader(fh))
for line in [2, 3, 50, 1000, 12345, 33333, 50000, 65432, 80000, 90001, 100000, len(lines)]:
    u, m, r, ts = lines[line - 1]
    row = con.sql(f"select user_id, movie_id, rating, epoch(rated_at)::bigint from {ratings} where source_line = {line}").fetchall()
    if row != [(int(u), int(m), float(r), int(ts))]:
        problems.append(f"ratings.csv line {line}: {lines[line - 1]} vs parquet {row}")
# Splits and batches.
got = con.sql(f"select split, batch, count(*) from {ratings} group by all order by 1, 2").fetchall()
want = [("buffer", 1, 2016), ("buffer", 2, 2016), ("buffer", 3, 2016), ("buffer", 4, 2016), ("buffer", 5, 2020),
        ("test", None, 20167), ("train", None, 70585)]
if got != want:
    problems.append(f"split sizes {got}")
# Movies: pyarrow rows against movies.csv.
movies = pq.read_table(os.path.join(out, "movies/part-00000.parquet")).to_pylist()
by_id = {m["movie_id"]: m for m in movies}
with open(os.path.join(drop, "movies.csv"), newline="", encoding="utf-8") as fh:
    rows = list(csv.reader(fh))[1:]
for mid, title, genres in rows[::800]:
    m = by_id[int(mid)]
    g = [] if genres == "(no genres listed)" else genres.split("|")
    if m["title"] != title or m["genres"] != g or m["no_genres"] != (g == []):
        problems.append(f"movie {mid}: {m['title']!r} {m['genres']} vs {title!r} {g}")
if by_id[2571]["title_normalized"] != "The Matrix" or by_id[2571]["year"] != 1999 or not by_id[2571]["sci_fi"]:
    problems.append(f"movie 2571: {by_id[2571]}")
links = {r["movie_id"]: r for r in pq.read_table(os.path.join(out, "links/part-00000.parquet")).to_pylist()}
if links[1]["imdb_id"] != "0114709" or links[1]["tmdb_id"] != 862:
    problems.append(f"links 1: {links[1]}")
if sum(1 for r in links.values() if r["tmdb_id"] is None) != 8:
    problems.append("links: expected 8 null tmdb_id")
n_tags = con.sql(f"select count(*) from read_parquet('{out}/tags/*.parquet')").fetchall()[0][0]
if n_tags != 3683:
    problems.append(f"tags: {n_tags}")
print("\n".join(problems) if problems else "ok")
sys.exit(1 if problems else 0)
