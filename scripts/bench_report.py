#!/usr/bin/env python3
"""The table of scripts/bench: medians per stage and tool, the ratios against the targets of
issue 7, and the agreement of counts; as text, markdown (with an ASCII bar chart) and JSON.

    python3 scripts/bench_report.py /tmp/lens-bench/results/latest-25m.json [--markdown]
    python3 scripts/bench_report.py RESULTS_DIR/runs.jsonl [--markdown]   # re-summarise raw runs
"""
import json
import statistics
import sys

# (label, lens stage key(s), peer stage key(s)); a tuple of keys is summed.
STAGES = [
    ("0 source checksum (sha256)", "checksum", None),
    ("1 ingest + clean", "ingest_clean", "ingest_clean"),
    ("2 split", "split", "split"),
    ("3 features (PCA + stats)", "features", "features"),
    ("4 Parquet + manifest", "parquet", "parquet"),
    ("stages 1-4", ("ingest_clean", "split", "features", "parquet"), ("ingest_clean", "split", "features", "parquet")),
    ("5 COPY", "load_copy", "pg_copy"),
    ("5 keys + indexes", "load_index", "pg_index"),
    ("5 ANALYZE", "load_analyze", "pg_analyze"),
    ("5 data-quality checks (lens only)", "load_checks", None),
    ("5 publish + commit", "load_publish", "pg_commit"),
    ("5 PostgreSQL total", "load", ("pg_copy", "pg_index", "pg_analyze", "pg_commit")),
]
CHART = ["0 source checksum (sha256)", "1 ingest + clean", "2 split", "3 features (PCA + stats)",
         "4 Parquet + manifest", "5 COPY", "5 keys + indexes", "5 ANALYZE", "5 data-quality checks (lens only)",
         "5 publish + commit"]
TARGETS = {"whole": 1 / 3, "stages14": 1 / 3, "pg_floor": 1.3, "rss_mb": 1024}


def med(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def stage_value(rec, key):
    st = rec.get("stages", {})
    if key is None:
        return None
    if isinstance(key, tuple):
        vals = [st.get(k) for k in key]
        return round(sum(vals), 3) if all(v is not None for v in vals) else None
    return st.get(key)


def floor_of(lim):
    """Serial floor of the ratings load on that server: binary COPY into a table created in the
    transaction + PRIMARY KEY (user, movie) + index (movie) + ANALYZE; and the parallel variant
    (best COPY incl. 2 parallel streams + the slower of the two index builds + ANALYZE)."""
    if not lim or "copy" not in lim or "index" not in lim:
        return None
    c, i = lim["copy"], lim["index"]
    copy_bin = c["binary/same_txn"]["median"]
    serial = copy_bin + i["primary_key_userid_movieid"] + i["index_movieid"] + i["analyze"]
    best_copy = min(copy_bin, c.get("text/unlogged_2_parallel", {}).get("median", copy_bin))
    parallel = best_copy + max(i["primary_key_userid_movieid"], i["index_movieid"]) + i["analyze"]
    return {"serial": round(serial, 2), "parallel": round(parallel, 2), "copy_binary_same_txn": copy_bin,
            "copy_text_2_parallel": c.get("text/unlogged_2_parallel", {}).get("median"),
            "primary_key": i["primary_key_userid_movieid"], "index_movieid": i["index_movieid"],
            "analyze": i["analyze"], "rows": lim.get("rows")}


def summarise(records, limits, env):
    tools = []
    for r in records:
        if r["tool"] not in tools:
            tools.append(r["tool"])
    ok = {t: [r for r in records if r["tool"] == t and r["ok"]] for t in tools}
    failed = {t: len([r for r in records if r["tool"] == t and not r["ok"]]) for t in tools}
    rows = []
    for label, lk, pk in STAGES:
        vals = {t: med([stage_value(r, lk if t == "lens" else pk) for r in ok[t]]) for t in tools}
        rows.append({"label": label, "values": vals})
    rows.append({"label": "process wall", "values": {t: med([r["wall_seconds"] for r in ok[t]]) for t in tools}})
    rows.append({"label": "peak RSS (MB)", "values": {t: max([r["max_rss_mb"] for r in ok[t]], default=None)
                                                       for t in tools}})
    for k, lab in (("own_cpu_seconds", "CPU-s: the tool"), ("postgres_cpu_seconds", "CPU-s: its PostgreSQL backends"),
                   ("other_cpu_seconds", "CPU-s: other processes (noise)")):
        rows.append({"label": lab, "values": {t: med([r[k] for r in ok[t]]) for t in tools}})
    rows.append({"label": "CPU-s: tool + PostgreSQL", "values": {
        t: med([r["own_cpu_seconds"] + r["postgres_cpu_seconds"] for r in ok[t]]) for t in tools}})
    rows.append({"label": "Parquet (MB)", "values": {t: (round(ok[t][-1]["parquet_bytes"] / 1e6, 1)
                                                         if ok[t] and ok[t][-1].get("parquet_bytes") else None)
                                                     for t in tools}})
    rows.append({"label": "runs ok (failed)", "values": {t: f"{len(ok[t])} ({failed[t]})" for t in tools}})
    val = {r["label"]: r["values"] for r in rows}

    ratios = {}
    peers = [t for t in tools if t != "lens"]
    lw = val["process wall"].get("lens")
    pw = {p: val["process wall"][p] for p in peers if val["process wall"].get(p)}
    if lw and pw:
        fastest = min(pw, key=pw.get)
        ratios["whole"] = {"lens": lw, "fastest_peer": fastest, "peer": pw[fastest],
                           "ratio": round(lw / pw[fastest], 3), "target": "<= 0.333 (3x faster)"}
    l14 = val["stages 1-4"].get("lens")
    if l14 and val["stages 1-4"].get("polars"):
        p14 = val["stages 1-4"]["polars"]
        lck = med([stage_value(r, "checksum") for r in ok.get("lens", [])]) or 0
        ratios["stages14"] = {"lens": l14, "polars": p14, "ratio": round(l14 / p14, 3),
                              "ratio_with_checksum": round((l14 + lck) / p14, 3), "target": "<= 0.333 (3x faster)"}
    floors = {k: floor_of(v) for k, v in (limits or {}).items() if floor_of(v)}
    ll = val["5 PostgreSQL total"].get("lens")
    if ll and floors:
        fk = "lens" if "lens" in floors else "peers"
        f = floors[fk]
        ratios["pg_floor"] = {"lens_load": ll, "floor_server": fk, "floor_serial": f["serial"],
                              "floor_parallel": f["parallel"], "ratio": round(ll / f["serial"], 3),
                              "ratio_vs_parallel_floor": round(ll / f["parallel"], 3), "target": "<= 1.3"}
    lr = val["peak RSS (MB)"].get("lens")
    if lr:
        leanest = min((val["peak RSS (MB)"][p] for p in peers if val["peak RSS (MB)"].get(p)), default=None)
        ratios["rss"] = {"lens_mb": lr, "leanest_peer_mb": leanest, "target_mb": TARGETS["rss_mb"],
                         "ratio_to_leanest": round(lr / leanest, 3) if leanest else None}
        # lens samples its resident memory during each stage (run summary: stage_peak_rss_mb)
        per_stage = [r.get("stage_peak_rss_mb") or {} for r in ok.get("lens", [])]
        stages = sorted({k for p in per_stage for k in p})
        if stages:
            ratios["rss"]["lens_stage_peak_mb"] = {k: max(p.get(k, 0) for p in per_stage) for k in stages}

    # agreement on counts and split sizes: lens against each peer (last good run of each)
    agree = {"ok": True, "details": []}
    if "lens" in ok and ok["lens"]:
        ref = ok["lens"][-1]
        for p in peers:
            if not ok[p]:
                continue
            r = ok[p][-1]
            for f in sorted(set(ref.get("counts", {})) | set(r.get("counts", {}))):
                a, b = ref["counts"].get(f), r["counts"].get(f)
                if a != b:
                    agree["ok"] = False
                    agree["details"].append(f"{f}: lens {a} vs {p} {b}")
            for k in ("train", "test", "buffer", "batches"):
                if ref["split"].get(k) != r["split"].get(k):
                    agree["ok"] = False
                    agree["details"].append(f"split {k}: lens {ref['split'].get(k)} vs {p} {r['split'].get(k)}")
        agree["compared"] = [p for p in peers if ok[p]]
        agree["ratings"] = ref.get("counts", {}).get("ratings")
        agree["split"] = ref.get("split")
    lens_statements = ok["lens"][-1].get("statements", []) if ok.get("lens") else []
    return {"env": env, "tools": tools, "rows": rows, "ratios": ratios, "floors": floors, "limits": limits,
            "agreement": agree, "lens_statements": lens_statements, "records": records}


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}" if v < 1000 else f"{v:.0f}"
    return str(v)


def ratio_lines(s):
    r, out = s["ratios"], []
    if "whole" in r:
        w = r["whole"]
        out.append(f"whole run: lens {w['lens']:.1f} s / {w['fastest_peer']} {w['peer']:.1f} s = {w['ratio']:.2f} "
                   f"({1 / w['ratio']:.2f}x faster; target <= 0.33)")
    if "stages14" in r:
        w = r["stages14"]
        out.append(f"stages 1-4: lens {w['lens']:.2f} s / polars {w['polars']:.2f} s = {w['ratio']:.2f} "
                   f"({1 / w['ratio']:.2f}x faster; with lens's source checksum {w['ratio_with_checksum']:.2f}; "
                   f"target <= 0.33)")
    if "pg_floor" in r:
        w = r["pg_floor"]
        out.append(f"PostgreSQL stage: lens {w['lens_load']:.1f} s / floor {w['floor_serial']:.1f} s "
                   f"(limits.py on the {w['floor_server']} server: binary COPY + PK + index + ANALYZE of the "
                   f"ratings, one after the other) = {w['ratio']:.2f} (target <= 1.3); vs the parallel floor "
                   f"{w['floor_parallel']:.1f} s = {w['ratio_vs_parallel_floor']:.2f}")
    if "rss" in r:
        w = r["rss"]
        out.append(f"peak RSS: lens {w['lens_mb']:.0f} MB (target <= {w['target_mb']} MB)"
                   + (f"; leanest peer {w['leanest_peer_mb']:.0f} MB, lens/leanest {w['ratio_to_leanest']:.2f}"
                      if w.get("leanest_peer_mb") else ""))
        if w.get("lens_stage_peak_mb"):
            out.append("lens peak RSS per stage (sampled in the run): "
                       + ", ".join(f"{k} {v:.0f} MB" for k, v in w["lens_stage_peak_mb"].items()))
    a = s["agreement"]
    if a.get("compared"):
        out.append("lens and " + ", ".join(a["compared"]) + " agree on every count and split size: "
                   + ("yes" if a["ok"] else "NO\n  " + "\n  ".join(a["details"])))
    return out


def text(s):
    tools = s["tools"]
    e = s["env"]
    w = max(len(r["label"]) for r in s["rows"]) + 2
    lines = [f"{e['date_utc']}  {e['machine']} ({e['cpu_model']})  drop {e['drop']} (scale {e['scale']}, "
             f"runs {e['runs']})  load average before {' '.join(e['load_before'])}, after "
             f"{' '.join(e.get('load_after', ['?']))}",
             f"lens {e.get('lens_git', '')}{' (+ uncommitted edits)' if e.get('lens_tree_dirty') else ''}",
             "seconds, median of runs".ljust(w) + "".join(t.rjust(12) for t in tools)]
    for r in s["rows"]:
        lines.append(r["label"].ljust(w) + "".join(fmt(r["values"].get(t)).rjust(12) for t in tools))
    lines.append("")
    lines += ratio_lines(s)
    if s["env"].get("settings_diff"):
        lines.append("server settings that differ (lens, peers): " + ", ".join(
            f"{k} {v[0]} vs {v[1]}" for k, v in s["env"]["settings_diff"].items()))
    return "\n".join(lines)


def chart(s, width=46):
    vals = {r["label"]: r["values"] for r in s["rows"]}
    tools = s["tools"]
    top = max((v for lab in CHART for v in vals.get(lab, {}).values() if isinstance(v, (int, float))), default=1)
    tw = max(len(t) for t in tools)
    out = []
    for lab in CHART:
        row = vals.get(lab, {})
        if all(row.get(t) is None for t in tools):
            continue
        out.append(lab)
        for t in tools:
            v = row.get(t)
            if v is None:
                continue
            n = v / top * width
            bar = "█" * int(n) + " ▏▎▍▌▋▊▉"[int((n - int(n)) * 8)].strip()
            out.append(f"  {t.ljust(tw)} {bar} {v:.2f}")
    return "\n".join(out)


def markdown(s):
    tools = s["tools"]
    e = s["env"]
    out = [f"Run of `{e['command']}` on {e['date_utc']}: {e['machine']} ({e['cpu_model']}), kernel {e['kernel']}; "
           f"load average before {' / '.join(e['load_before'])}, after {' / '.join(e.get('load_after', ['?']))}. "
           f"Drop `{e['drop']}`: {e['drop_summary'].get('rating_lines')} rating lines, "
           f"{e['drop_summary'].get('genome_scores')} genome scores. lens `{e.get('lens_git', '')}`"
           f"{' + uncommitted edits' if e.get('lens_tree_dirty') else ''}.", "",
           "| seconds (median of runs) | " + " | ".join(tools) + " |",
           "| --- | " + " | ".join("---:" for _ in tools) + " |"]
    for r in s["rows"]:
        out.append(f"| {r['label']} | " + " | ".join(fmt(r["values"].get(t)) for t in tools) + " |")
    out += ["", *[f"- {x}" for x in ratio_lines(s)]]
    if e.get("settings_diff"):
        out.append("- server settings that differ (lens vs peers): " + ", ".join(
            f"`{k}` {v[0]} vs {v[1]}" for k, v in e["settings_diff"].items()))
    for k, f in s.get("floors", {}).items():
        out.append(f"- floor on the {k} server (limits.py, {f['rows']} ratings): binary COPY {f['copy_binary_same_txn']:.2f} s"
                   f" (2 parallel text COPYs {fmt(f['copy_text_2_parallel'])} s), PK {f['primary_key']:.2f} s, "
                   f"index (movieid) {f['index_movieid']:.2f} s, ANALYZE {f['analyze']:.2f} s")
    out += ["", "```", chart(s), "```"]
    if s.get("lens_statements"):
        out += ["", "Slowest statements of lens's last load (server log, ms):", "",
                "| ms | statement |", "| ---: | --- |"]
        for ms, st in s["lens_statements"][:15]:
            out.append(f"| {ms:.0f} | `{st.replace('|', '/')[:110]}` |")
    return "\n".join(out) + "\n"


def main():
    path = sys.argv[1]
    if path.endswith(".jsonl"):
        recs = [json.loads(x) for x in open(path) if x.strip()]
        s = summarise(recs, {}, {"date_utc": "?", "machine": "?", "cpu_model": "?", "kernel": "?", "drop": "?",
                                 "scale": "?", "runs": "?", "load_before": ["?"], "drop_summary": {},
                                 "command": "?"})
    else:
        s = json.load(open(path))
        s = summarise(s["records"], s.get("limits"), s["env"])
    print(markdown(s) if "--markdown" in sys.argv else text(s))


if __name__ == "__main__":
    main()
