#!/usr/bin/env python3
"""Where lens's time goes, per stage and per kind of work (the profile of docs/performance.md).

    python3 scripts/bench_profile.py [--scale 25m] [--no-perf] [--no-sql] [--freq 499]

 1. `perf record -e cpu-clock` (a software event: this VM exposes no hardware counters) of
    `lens run --source DROP --out OUT --format json` into lens's private bench cluster
    (LENS_HOME=$LENS_BENCH_DIR/home), after dropping lens's schemas so the run does the full work.
    Each sample is assigned to the stage that was running (from the `lens: <stage> ...` progress
    lines on stderr, time-stamped on CLOCK_MONOTONIC like perf's samples) and to a kind of work
    from its symbol / library: CSV parse, dedup, radix sort, sha256, zstd, Parquet encoding,
    BLAS/LAPACK, COPY encoding, libpq/socket, memory copy, kernel, other. CPU% per stage = samples
    / (wall x frequency): 100% = one core busy.
 2. The PostgreSQL side of stage 5, statement by statement: in one transaction that is rolled
    back, copies of the loaded version's tables (CREATE TABLE AS, not timed) get each statement of
    sql/warehouse/constraints.sql and analyze.sql, timed one by one (lens runs each file as one
    multi-statement query, so the server log only has the total). Tables created in the
    transaction, as in lens's load, so wal_level=minimal skips their WAL.
Writes $LENS_BENCH_DIR/results/profile-<scale>.json and prints a summary.
Uses the binary and sql/ of scripts/bench (LENS_BIN, $LENS_BENCH_DIR/src/sql).
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time

BENCH = os.environ.get("LENS_BENCH_DIR", "/tmp/lens-bench")
LENS = os.environ.get("LENS_BIN", "/tmp/build-bench/release/lens")
SRC = os.path.join(BENCH, "src")
SQL_DIR = os.environ.get("LENS_SQL_DIR", os.path.join(SRC, "sql"))
LENS_HOME = os.path.join(BENCH, "home")
ENV = dict(os.environ, LENS_HOME=LENS_HOME, LENS_SQL_DIR=SQL_DIR)
RESET = """DO $$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname ~ '^lens_v[0-9]+$' OR nspname IN ('lens_catalog', 'movielens') LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP; END $$"""

# (kind, regex on "dso symbol"), first match wins; symbols are demangled Swift names.
KINDS = [
    ("kernel (page faults, read/write, memcpy to socket)", r"\[kernel|kallsyms|\[unknown\]\s*$"),
    ("zstd", r"libzstd|ZSTD_|HUF_|FSE_"),
    ("BLAS/LAPACK", r"openblas|lapack|dgemm|dsyev|dsyrk|blas"),
    ("sha256", r"(?i)sha256|SHA256|Hashing|digest"),
    ("CSV parse (lines, numbers, fields)", r"NumericLine|LineReader|CSVField|CSVFields|SWAR|ReadAhead|ByteSource|"
                                          r"MovieTitle|CleanSmallFiles|consume|parse"),
    ("dedup", r"dedup|resolveGroup"),
    ("radix sort (split, dedup fallback)", r"RadixSort|radix"),
    ("Parquet encoding", r"Parquet\.|ChunkEncoder|DictionaryBuilder|RLEHybrid|ThriftCompact|ParquetFileWriter|"
                         r"ParquetExport|LeafValues|ColumnarSchemas"),
    ("COPY encoding + libpq", r"PGBinaryCopyEncoder|TableCopy|PGCopyWriter|libpq|PQ|pqPut|pqsecure"),
    ("features (stats, PCA glue)", r"Features|MovieStats|UserStats|TrainStats|RatingAggregates|GenomePCA|quantile"),
    ("split (permute, assign)", r"TemporalSplit|permut"),
    ("memory copy / alloc (libc)", r"libc\.so|memmove|memcpy|memset|malloc|free|_int_|swift_(retain|release|alloc)"),
    ("Swift runtime / stdlib", r"libswiftCore|libFoundation|swift_"),
]


def log(msg):
    print(f"[profile {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def psql(dsn, *stmts, fetch=False):
    import psycopg
    with psycopg.connect(dsn, autocommit=True) as c:
        out = None
        for s in stmts:
            cur = c.execute(s)
            out = cur.fetchall() if fetch else None
        return out


def demangle(names):
    if not names:
        return {}
    r = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), text=True,
                       capture_output=True)
    out = r.stdout.splitlines()
    return dict(zip(names, out)) if len(out) == len(names) else {n: n for n in names}


def kind_of(dso, sym):
    s = f"{dso} {sym}"
    for k, rx in KINDS:
        if re.search(rx, s):
            return k
    return "other lens code"


def perf_profile(drop, out, freq, dsn):
    data = os.path.join(BENCH, "perf.data")
    shutil.rmtree(out, ignore_errors=True)
    psql(dsn, RESET, "CHECKPOINT")
    cmd = ["perf", "record", "-e", "cpu-clock", "-F", str(freq), "-k", "CLOCK_MONOTONIC", "-o", data, "--",
           LENS, "run", "--source", drop, "--out", out, "--format", "json",
           "--pipeline", os.path.join(SRC, "pipelines", "movielens.toml")]
    log(" ".join(cmd))
    t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
    p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks = []  # (monotonic seconds, stage) at each "lens: <stage> ..." start line
    for line in p.stderr:
        now = time.clock_gettime(time.CLOCK_MONOTONIC)
        m = re.match(r"lens: (\w+) \.\.\.$", line.strip())
        if m:
            marks.append((now, m.group(1)))
    rep = json.loads(p.stdout.read())
    p.wait()
    t_end = time.clock_gettime(time.CLOCK_MONOTONIC)
    stages = rep["stage_seconds"]
    log("stages: " + json.dumps(stages))
    r = subprocess.run(["perf", "script", "-i", data, "-F", "time,dso,sym", "--ns"], capture_output=True, text=True)
    samples = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([0-9]+\.[0-9]+):\s+\S*\s*(.*?)\s*\((.*)\)\s*$", line)
        if m:
            samples.append((float(m.group(1)), m.group(2).strip(), m.group(3)))
        else:
            m = re.match(r"\s*([0-9]+\.[0-9]+):\s*(.*)$", line)
            if m:
                samples.append((float(m.group(1)), m.group(2).strip(), ""))
    syms = demangle(sorted({s for _, s, _ in samples if s.startswith("$s") or s.startswith("_$s")}))
    bounds = marks + [(t_end, "end")]

    def stage_at(t):
        st = "startup"
        for (ts, name) in bounds:
            if t >= ts:
                st = name
            else:
                break
        return st
    per_stage = collections.defaultdict(collections.Counter)
    per_stage_sym = collections.defaultdict(collections.Counter)
    for t, sym, dso in samples:
        st = stage_at(t)
        name = syms.get(sym, sym)
        per_stage[st][kind_of(dso, name)] += 1
        per_stage_sym[st][(name[:110], os.path.basename(dso))] += 1
    result = {"stages": stages, "freq": freq, "samples": len(samples), "wall": round(t_end - t0, 2), "per_stage": {}}
    for (ts, name), nxt in zip(bounds, bounds[1:]):
        wall = nxt[0] - ts
        n = sum(per_stage[name].values())
        result["per_stage"][name] = {
            "wall": round(wall, 2), "cpu_seconds": round(n / freq, 2), "cpu_pct": round(100 * n / freq / wall, 0) if wall else 0,
            "kinds": {k: round(v / freq, 2) for k, v in per_stage[name].most_common()},
            "top": [[f"{s} [{d}]", round(v / freq, 2)] for (s, d), v in per_stage_sym[name].most_common(12)],
        }
    return result, rep


def sql_statements(file, schema):
    text = open(os.path.join(SQL_DIR, "warehouse", file)).read().replace("{{schema}}", schema)
    return [s.strip() for s in re.sub(r"--[^\n]*", "", text).split(";") if s.strip()]


def sql_profile(dsn, version_schema):
    """Each statement of constraints.sql and analyze.sql on copies of the loaded tables."""
    import psycopg
    res = []
    tables = [r[0] for r in psql(dsn, f"SELECT tablename FROM pg_tables WHERE schemaname = '{version_schema}'",
                                 fetch=True)]
    with psycopg.connect(dsn) as c:
        c.execute("SET LOCAL maintenance_work_mem = '1GB'")
        c.execute("CREATE SCHEMA bench_profile")
        for t in tables:
            c.execute(f"CREATE TABLE bench_profile.{t} AS SELECT * FROM {version_schema}.{t}")
        for file in ("constraints.sql", "analyze.sql"):
            for st in sql_statements(file, "bench_profile"):
                t0 = time.perf_counter()
                c.execute(st)
                res.append([file, st.replace("bench_profile.", ""), round(time.perf_counter() - t0, 3)])
        c.rollback()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="25m")
    ap.add_argument("--freq", type=int, default=499)
    ap.add_argument("--no-perf", action="store_true")
    ap.add_argument("--no-sql", action="store_true")
    a = ap.parse_args()
    drop = os.environ.get("LENS_BENCH_DROP", os.path.join(BENCH, f"syn{a.scale}"))
    if not os.path.exists(os.path.join(drop, "dirty.json")):
        raise SystemExit(f"no drop in {drop}: run scripts/bench --scale {a.scale} first")
    subprocess.run([LENS, "db", "start"], env=ENV, check=True, capture_output=True)
    dsn = subprocess.run([LENS, "db", "url"], env=ENV, check=True, capture_output=True, text=True).stdout.strip()
    out = {"scale": a.scale, "drop": drop, "load_before": open("/proc/loadavg").read().split()[:3]}
    subprocess.run(f"cat {drop}/*.csv > /dev/null", shell=True)
    if not a.no_perf:
        out["perf"], rep = perf_profile(drop, os.path.join(BENCH, "profile-out"), a.freq, dsn)
        out["version"] = rep.get("version")
    if not a.no_sql:
        schemas = psql(dsn, "SELECT nspname FROM pg_namespace WHERE nspname ~ '^lens_v[0-9]+$' ORDER BY 1 DESC",
                       fetch=True)
        if schemas:
            out["sql"] = sql_profile(dsn, schemas[0][0])
    out["load_after"] = open("/proc/loadavg").read().split()[:3]
    path = os.path.join(BENCH, "results", f"profile-{a.scale}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    json.dump(out, open(path, "w"), indent=1)
    if "perf" in out:
        p = out["perf"]
        print(f"perf: {p['samples']} samples at {p['freq']} Hz over {p['wall']} s")
        for st, d in p["per_stage"].items():
            print(f"\n{st}: wall {d['wall']} s, CPU {d['cpu_seconds']} s ({d['cpu_pct']:.0f}% of one core)")
            for k, v in d["kinds"].items():
                print(f"   {v:7.2f} s  {k}")
            for s, v in d["top"][:8]:
                print(f"        {v:6.2f} s  {s}")
    if "sql" in out:
        print("\nPostgreSQL statements (copies of the loaded tables, one transaction, rolled back):")
        for f, st, s in out["sql"]:
            print(f"   {s:7.2f} s  {st[:100]}")
    log(f"written {path}")


if __name__ == "__main__":
    main()
