"""Reads a lens Parquet export with Apache Spark (pyspark, one local session) and checks it.

Usage: check_spark.py OUT_DIR DROP_DIR
Prints "ok" and exits 0, or prints what differs and exits 1. Used by SparkReaderTests.swift.

What it checks, from manifest.json alone (so it holds for any drop, and for any row order inside
the files): every dataset folder reads with the Spark type of each column the manifest lists
(ratings with the Hive partition column `split` as a string), the manifest's row counts per
dataset and per split, the buffer's batch sizes, the split boundary times, movie_stats and
user_stats against counts Spark computes from the train ratings, the embedding and loading list
lengths; and a few rating rows, found by source_line, against the lines of DROP_DIR/ratings.csv.
"""
import csv
import json
import os
import shutil
import sys
import tempfile
import time

from pyspark.sql import SparkSession, functions as F, types as T

out, drop = sys.argv[1], sys.argv[2]
problems = []
manifest = json.load(open(os.path.join(out, "manifest.json")))

# The manifest's column types (Sources/Parquet's names) as Spark reads them.
SPARK_TYPE = {
    "bool": T.BooleanType(), "int8": T.ByteType(), "int16": T.ShortType(), "int32": T.IntegerType(),
    "int64": T.LongType(), "float": T.FloatType(), "double": T.DoubleType(), "string": T.StringType(),
    "timestampMicrosUTC": T.TimestampType(),  # isAdjustedToUTC: an instant, not TimestampNTZ
    "floatList": T.ArrayType(T.FloatType()), "stringList": T.ArrayType(T.StringType()),
}

started = time.time()
scratch = tempfile.mkdtemp(prefix="lens-spark-")
spark = (SparkSession.builder.master("local[1]").appName("lens-spark-reader")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.shuffle.partitions", "1")
         .config("spark.local.dir", scratch).config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
print(f"spark {spark.version}: session up in {time.time() - started:.1f} s", file=sys.stderr)

datasets = {}
for f in manifest["files"]:
    datasets.setdefault(f["dataset"], []).append(f)

frames = {}
for name, files in sorted(datasets.items()):
    df = spark.read.parquet(os.path.join(out, name))
    frames[name] = df
    want = [(c["name"], SPARK_TYPE.get(c["type"], c["type"])) for c in files[0]["schema"]]
    if name == "ratings":
        want.append(("split", T.StringType()))  # the Hive partition folder split=train|test|buffer
    got = [(field.name, field.dataType) for field in df.schema.fields]
    if got != want:
        problems.append(f"{name}: Spark schema {got}, expected {want}")
    n = df.count()
    if n != manifest["row_counts"][name] or n != sum(f["rows"] for f in files):
        problems.append(f"{name}: Spark counts {n} rows, manifest says {manifest['row_counts'][name]}")

missing = {e for e in os.listdir(out) if os.path.isdir(os.path.join(out, e))} - set(datasets)
if missing:
    problems.append(f"folders the manifest does not list: {sorted(missing)}")

ratings = frames["ratings"]
split = manifest["split"]
# Rows per split: from the partition column, against the split facts and each file's row count.
per_split = {r["split"]: r["count"] for r in ratings.groupBy("split").count().collect()}
want_split = {s: split[s] for s in ("train", "test", "buffer") if split[s]}
if per_split != want_split:
    problems.append(f"ratings per split {per_split}, manifest split says {want_split}")
for f in datasets["ratings"]:
    part = f["path"].split("/")[1].removeprefix("split=")
    if per_split.get(part) != f["rows"]:
        problems.append(f"{f['path']}: manifest says {f['rows']} rows, Spark reads {per_split.get(part)} with split={part}")
# Batches: 1..n in the buffer with the manifest's sizes, null elsewhere.
batches = {(r["split"], r["batch"]): r["count"] for r in ratings.groupBy("split", "batch").count().collect()}
want_batches = {("buffer", i + 1): n for i, n in enumerate(split["batch_sizes"]) if n}
want_batches.update({(s, None): split[s] for s in ("train", "test") if split[s]})
if batches != want_batches:
    problems.append(f"ratings per (split, batch) {sorted(batches.items(), key=str)}, expected {sorted(want_batches.items(), key=str)}")
# The time split: train ends at last_train_at, test and buffer start at first_after_train_at.
bounds = ratings.groupBy(F.col("split") == "train").agg(
    F.min(F.col("rated_at").cast("long")).alias("first"), F.max(F.col("rated_at").cast("long")).alias("last")).collect()
bounds = {r[0]: (r["first"], r["last"]) for r in bounds}
if bounds[True][1] != split["last_train_at"] or bounds[False][0] != split["first_after_train_at"]:
    problems.append(f"split times {bounds}, manifest says last_train_at {split['last_train_at']}, "
                    f"first_after_train_at {split['first_after_train_at']}")
# Ratings are half stars in [0.5, 5] (capped), read as the floats lens wrote.
odd = ratings.filter((F.col("rating") < 0.5) | (F.col("rating") > 5) | (F.col("rating") * 2 != F.floor(F.col("rating") * 2))).count()
if odd:
    problems.append(f"ratings: {odd} values off the half-star grid 0.5...5")

# movie_stats and user_stats against what Spark computes from the train ratings.
train = ratings.filter(F.col("split") == "train")
for stats, key in (("movie_stats", "movie_id"), ("user_stats", "user_id")):
    mine = train.groupBy(key).agg(F.count("*").cast("int").alias("n_ratings"), F.avg("rating").alias("mean"))
    theirs = frames[stats].select(key, "n_ratings", "mean_rating")
    joined = mine.join(theirs, key, "full_outer")
    bad = joined.filter(mine["n_ratings"].isNull() | theirs["n_ratings"].isNull()
                        | (mine["n_ratings"] != theirs["n_ratings"])
                        | (F.abs(F.col("mean") - F.col("mean_rating")) > 1e-9)).count()
    if bad:
        problems.append(f"{stats}: {bad} {key}s whose n_ratings or mean_rating differ from the train ratings")

# List columns: one 64-float (the pipeline's pca_components) embedding per genome movie, and
# genome_pca loadings of one float per genome tag.
if "movie_embeddings" in frames:
    k = int(manifest["pipeline"]["pca_components"])
    sizes = [r[0] for r in frames["movie_embeddings"].select(F.size("embedding")).distinct().collect()]
    if sizes != [k]:
        problems.append(f"movie_embeddings: embedding lengths {sizes}, expected [{k}]")
    tags = manifest["row_counts"]["genome_tags"]
    sizes = [r[0] for r in frames["genome_pca"].select(F.size("loadings")).distinct().collect()]
    if sizes != [tags]:
        problems.append(f"genome_pca: loadings lengths {sizes}, expected [{tags}] (one per genome tag)")

# A few rows of ratings.csv, by line number, equal the row Spark reads for that source_line.
with open(os.path.join(drop, "ratings.csv"), newline="") as fh:
    lines = list(csv.reader(fh))
picked = sorted({2, 3, len(lines) // 3, len(lines) // 2, len(lines) - 1, len(lines)})
rows = {r["source_line"]: r for r in ratings.filter(F.col("source_line").isin(picked))
        .select("source_line", "user_id", "movie_id", "rating", F.col("rated_at").cast("long").alias("ts")).collect()}
checked = 0
for line in picked:
    fields = lines[line - 1]
    if line not in rows:
        continue  # a dirty line lens rejected or superseded; it is in the quarantine instead
    u, m, r, ts = fields
    row = rows[line]
    got = (row["user_id"], row["movie_id"], row["rating"], row["ts"])
    want = (int(u), int(m), min(5.0, max(0.5, float(r))), int(ts))
    if got != want:
        problems.append(f"ratings.csv line {line}: {fields} vs Spark {got}")
    checked += 1
if checked < 3:
    problems.append(f"only {checked} of the lines {picked} are in the export")

spark.stop()
shutil.rmtree(scratch, ignore_errors=True)
print(f"spark: read and checked in {time.time() - started:.1f} s", file=sys.stderr)
print("\n".join(problems) if problems else "ok")
sys.exit(1 if problems else 0)
