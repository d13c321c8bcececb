#!/usr/bin/env python3
"""Renders docs/performance.md from bench/run.sh's results directory and the hand-written notes.
usage: report.py RESULTS_DIR SCALE_RESULTS_DIR NOTES.md [STALL_RESULTS_DIR] > docs/performance.md
       report.py --stall-into DOC.md STALL_RESULTS_DIR  (re-renders only DOC.md's writer-stall section)
       report.py --fleet-into DOC.md SECTION.md  (puts one of bench/fleet_bench.sh's sections into DOC.md)"""
import os
import statistics
import sys

STALL_BEGIN = "<!-- stall section: bench/stall_bench.sh -->"
STALL_END = "<!-- end of stall section -->"


def stall_section(stall_res):
    """The writer-stall table of bench/stall_bench.sh, as lines, between the markers run.sh --stall
    replaces."""
    def values(name):
        path = os.path.join(stall_res, name)
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [float(l) for l in f if l.strip()]

    def med(name):
        v = values(name)
        return statistics.median(v) if v else None

    meta = {}
    if os.path.exists(os.path.join(stall_res, "meta")):
        with open(os.path.join(stall_res, "meta")) as f:
            meta = dict(l.rstrip("\n").split(" ", 1) for l in f if l.strip())
    o = [STALL_BEGIN, "## Writer stalls during schema changes", ""]
    if not meta:
        return o + ["Not measured yet: `bench/run.sh --stall`.", "", STALL_END]
    rows = int(meta["rows"])
    o += [f"`bench/stall_bench.sh` (in `bench/run.sh`; alone: `bench/run.sh --stall`), commit {meta.get('commit')},"
          f" {meta.get('date')}, retort built as {meta.get('build', 'Release')},"
          f" {meta.get('postgres')}, Alembic {meta.get('alembic')}: a table of {rows:,} rows, one session inserting"
          " one row per transaction as fast as it can; the figure is its longest wait between two inserts while"
          " the change runs (median of"
          f" {meta.get('runs')} rounds, the variants interleaved), against the same writer with no DDL running"
          " for 3 s (the floor). Alembic: the SQL its autogenerate emits for the same model change"
          " (`op.create_index`, `op.create_foreign_key`, `op.alter_column(nullable=False)`), written out by the"
          " script and run with `psql -1`, as Alembic runs a migration in one transaction.", "",
          "| change | floor (no DDL) | Retort safe plan | safe / floor | Retort plain plan | Alembic 1.8 | "
          "time of the change: safe / plain / Alembic |",
          "|---|---|---|---|---|---|---|"]
    label = {"index": "add an index", "foreign_key": "add a foreign key", "not_null": "nullable -> NOT NULL"}
    f = lambda x: "n/a" if x is None else f"{x:.0f} ms"
    for c in ("index", "foreign_key", "not_null"):
        floor, safe = med(f"stall.{c}.none.ms"), med(f"stall.{c}.safe.ms")
        ratio = "n/a" if floor is None or safe is None or floor == 0 else f"{safe / floor:.2f}x"
        took = " / ".join(f(med(f"stall.{c}.{v}.took")) for v in ("safe", "plain", "alembic"))
        o.append(f"| {label[c]} | {f(floor)} | {f(safe)} | {ratio} | {f(med(f'stall.{c}.plain.ms'))} | "
                 f"{f(med(f'stall.{c}.alembic.ms'))} | {took} |")
    o += ["", "Samples (ms, in run order): " + "; ".join(
        f"{c} {v}: {' '.join(f'{x:.1f}' for x in values(f'stall.{c}.{v}.ms'))}"
        for c in ("index", "foreign_key", "not_null") for v in ("none", "safe", "plain", "alembic")), "", STALL_END]
    return o


def put_section(doc_path, section):
    """`section` (lines, its markers first and last) in place of its old self in the document, or
    before the notes the first time; the other tables stay as the last full run rendered them."""
    with open(doc_path) as f:
        doc = f.read().split("\n")
    if section[0] in doc:
        doc[doc.index(section[0]):doc.index(section[-1]) + 1] = section
    else:
        at = doc.index("## Notes")
        doc[at:at] = section + [""]
    with open(doc_path, "w") as f:
        f.write("\n".join(doc))


if sys.argv[1] == "--stall-into":
    put_section(sys.argv[2], stall_section(sys.argv[3]))
    sys.exit(0)

if sys.argv[1] == "--fleet-into":
    # One of bench/fleet_bench.sh's sections (databases, tenant schemas), from a file holding it
    # between its markers (run.sh puts them back after a full render).
    with open(sys.argv[3]) as f:
        put_section(sys.argv[2], f.read().rstrip("\n").split("\n"))
    sys.exit(0)

res, scale_res, notes_path = sys.argv[1], sys.argv[2], sys.argv[3]
stall_res = sys.argv[4] if len(sys.argv) > 4 else None


def lines(name, where=None):
    path = os.path.join(where or res, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def kv(name):
    return dict(l.split(" ", 1) for l in lines(name) or [])


def ms(key):
    v = lines(key + ".ms")
    return statistics.median(int(x) for x in v) if v else None


def samples(key):
    return lines(key + ".ms") or []


def cpu(key):
    v = lines(key + ".cpu")
    return statistics.median(int(x) for x in v) if v else None


def rss(key):
    v = lines(key + ".rss")
    return max(int(x) for x in v) / 1024 if v else None


def fms(x):
    return "n/a" if x is None else (f"{x / 1000:.2f} s" if x >= 10000 else f"{x:.0f} ms")


def fmb(x):
    return "n/a" if x is None else f"{x:.0f} MiB"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fr(x):
    return "n/a" if x is None else f"{x:.2f}x"


meta = kv("meta")
sizes = {p: {k: int(v) for k, v in kv("size." + p).items()} for p in ("n100_r200", "n1000_r200", "n1000_r1000")}
case_name = {"n100_r200": "N=100, R=200", "n1000_r200": "N=1000, R=200", "n1000_r1000": "N=1000, R=1000"}

out = []
w = out.append
w("# Performance")
w("")
w("Retort's figures against the physical floor of the same work, measured in the same run, and")
w("against Alembic on the same synthetic project. Regenerate this file (tables and all) with the")
w("command below; the notes after the tables are `bench/performance-notes.md`, kept by hand.")
w("")
w("```sh")
w(meta.get("command", "bench/run.sh"))
w("```")
w("")
w(f"- Machine: {meta.get('nproc')} cores ({meta.get('cpu')}), shared with other builds while it ran, so"
  " every figure is a ratio to a floor timed in the same run, interleaved with it.")
w(f"- Date: {meta.get('date')}; Retort commit {meta.get('commit')}, Release build.")
w(f"- Median of {meta.get('runs')} runs after one warm-up run (upgrades: a fresh database before every run;"
  f" Alembic: {meta.get('alembic_runs')} runs, no warm-up). Peak RSS: the largest of the runs (GNU time `%M`),"
  " of the client process only (the PostgreSQL server's memory is not counted on either side).")
w(f"- {meta.get('clang')}; {meta.get('postgres')}; Alembic {meta.get('alembic')} (Debian 12).")
w(f"- Whole run: {int(meta.get('duration_s', 0)) // 60} min {int(meta.get('duration_s', 0)) % 60} s.")
w("")
w("The project (`bench/gen.py`): N tables `t0000...` of eight columns (bigint identity primary key,")
w("varchar(100) with an index, integer and boolean with server defaults, double precision, timestamptz")
w("default now(), nullable text, nullable bigint foreign key to table (i-1)/2); revision 1 creates")
w("them all, revisions 2..R each add a column to one table (every fifth also indexes it). The C++ models")
w("and the SQLAlchemy models are the head of that history; before measuring, `retort check` proves the")
w("scanned models and the replayed JSON history agree.")
w("")

# ---- Retort against the floor ----
w("## Retort against the floor")
w("")
w("| figure | case | Retort | floor | ratio | target | peak RSS Retort / floor |")
w("|---|---|---|---|---|---|---|")
rows = [
    ("scan", "scan", "`retort-scan` vs `clang++ -fsyntax-only`, same TU and flags", 1.3, ["n100_r200", "n1000_r200"]),
    ("build", "build", "no-change `cmake --build` vs a no-change build depending on the same files", None, ["n1000_r200"]),
    ("revision", "revision", "db-revision (`retort revision --snapshot`) vs reading + parsing its inputs", None,
     ["n100_r200", "n1000_r200", "n1000_r1000"]),
    ("check", "check", "db-check (`retort check --snapshot`, no drift) vs reading + parsing its inputs", None,
     ["n100_r200", "n1000_r200", "n1000_r1000"]),
    ("upgrade", "upgrade", "`retort upgrade` base -> head vs `psql -1 -f` of `retort sql base:head`", 1.5,
     ["n100_r200", "n1000_r200", "n1000_r1000"]),
]
missed = []
for key, _, label, target, cases in rows:
    for p in cases:
        a, b = ms(f"{key}.retort.{p}"), ms(f"{key}.floor.{p}")
        r = ratio(a, b)
        t = "-" if target is None else f"<= {target}x " + ("met" if r is not None and r <= target else "**missed**")
        if target is not None and (r is None or r > target):
            missed.append(f"{key} {case_name[p]}")
        w(f"| {label} | {case_name[p]} | {fms(a)} | {fms(b)} | {fr(r)} | {t} | "
          f"{fmb(rss(f'{key}.retort.{p}'))} / {fmb(rss(f'{key}.floor.{p}'))} |")
w("")
w("What the upgrade gap is made of, same runs: `psql -f` of the same SQL split into one transaction per")
w("revision (as Retort applies it: `BEGIN` ... `COMMIT` around each revision's statements), and the")
w("client's own CPU time (user + sys, median) against the wall time:")
w("")
w("| case | psql, a transaction per revision | ratio to psql -1 | CPU of `retort upgrade` | CPU of psql | CPU of Alembic |")
w("|---|---|---|---|---|---|")
for p in ("n100_r200", "n1000_r200", "n1000_r1000"):
    a, b = ms(f"upgrade.pertx.{p}"), ms(f"upgrade.floor.{p}")
    w(f"| {case_name[p]} | {fms(a)} | {fr(ratio(a, b))} | {fms(cpu(f'upgrade.retort.{p}'))} | "
      f"{fms(cpu(f'upgrade.floor.{p}'))} | {fms(cpu(f'alembic.upgrade.{p}'))} |")
w("")
w("Samples (ms, in run order):")
w("")
for key, _, _, _, cases in rows:
    for p in cases:
        for side in ("retort", "floor") + (("pertx",) if key == "upgrade" else ()):
            w(f"- {key}.{side} {case_name[p]}: {' '.join(samples(f'{key}.{side}.{p}'))}")
w("")
proof = kv("build.proof")
same = proof.get("snapshot_mtime_before") == proof.get("snapshot_mtime_after")
w("**The scanner did not run on a no-change build:** the snapshot's mtime was "
  f"{proof.get('snapshot_mtime_before')} before the timed builds and {proof.get('snapshot_mtime_after')} after"
  f" ({'unchanged' if same else 'CHANGED'}); the last build's output has {proof.get('scan_lines_in_last_output')}"
  f" \"Scanning the models\" lines; it was, in full: `{proof.get('last_output')}`.")
w("")

# ---- Alembic ----
w("## Retort and Alembic side by side")
w("")
w("Alembic needs a live database at the history's head for autogenerate and for a drift check; Retort")
w("needs none (it replays the history). The same change is found by both: the models are one revision")
w("ahead of the history (autogenerate / db-revision), or at its head (drift check).")
w("")
w("| what | case | Retort | Alembic | Retort / Alembic | peak RSS Retort / Alembic |")
w("|---|---|---|---|---|---|")
for label, rk, ak in [("autogenerate (db-revision)", "revision.retort", "alembic.autogenerate"),
                      ("no-change drift check (db-check)", "check.retort", "alembic.check"),
                      ("upgrade base -> head", "upgrade.retort", "alembic.upgrade")]:
    for p in ("n100_r200", "n1000_r200"):
        a, b = ms(f"{rk}.{p}"), ms(f"{ak}.{p}")
        w(f"| {label} | {case_name[p]} | {fms(a)} | {fms(b)} | {fr(ratio(a, b))} | "
          f"{fmb(rss(f'{rk}.{p}'))} / {fmb(rss(f'{ak}.{p}'))} |")
w("")
w("Alembic samples (ms): " + "; ".join(
    f"{k} {case_name[p]}: {' '.join(samples(f'alembic.{k}.{p}'))}"
    for k in ("autogenerate", "check", "upgrade") for p in ("n100_r200", "n1000_r200")))
w("")

# ---- growth ----
w("## Growth")
w("")
w("Time at the larger size over time at the smaller one, against the growth of the input (bytes of")
w("headers, of snapshot + history, of SQL). Linear means the two factors are close.")
w("")
w("| figure | N=100 -> N=1000 (R=200): time | input | R=200 -> R=1000 (N=1000): time | input |")
w("|---|---|---|---|---|")


def growth(key, size_of):
    cells = []
    for small, big in (("n100_r200", "n1000_r200"), ("n1000_r200", "n1000_r1000")):
        a, b = ms(f"{key}.{small}"), ms(f"{key}.{big}")
        if a is None or b is None:
            cells += ["n/a", "n/a"]
            continue
        cells += [fr(b / a), fr(size_of(big) / size_of(small))]
    return cells


def json_in(p):
    return sizes[p]["snapshot"] + sizes[p]["history"]


for label, key, size_of in [
        ("scan", "scan.retort", lambda p: sizes[p]["headers"]),
        ("clang++ -fsyntax-only", "scan.floor", lambda p: sizes[p]["headers"]),
        ("db-revision", "revision.retort", json_in),
        ("db-check", "check.retort", json_in),
        ("read + parse inputs", "check.floor", json_in),
        ("retort upgrade", "upgrade.retort", lambda p: sizes[p]["sql"]),
        ("psql -1 -f", "upgrade.floor", lambda p: sizes[p]["sql"]),
        ("Alembic autogenerate", "alembic.autogenerate", lambda p: sizes[p]["headers"]),
        ("Alembic drift check", "alembic.check", lambda p: sizes[p]["headers"]),
        ("Alembic upgrade", "alembic.upgrade", lambda p: sizes[p]["sql"])]:
    w(f"| {label} | " + " | ".join(growth(key, size_of)) + " |")
w("")
w("Input sizes (bytes): " + "; ".join(
    f"{case_name[p]}: headers {s['headers']}, history {s['history']}, snapshot {s['snapshot']}, SQL {s['sql']}"
    for p, s in sizes.items()))
w("")
# ---- scale ----
scale_cases = ["n1000_r1000", "n2000_r1000", "n5000_r2000", "n10000_r5000"]
scale_meta = dict(l.split(" ", 1) for l in lines("meta", scale_res) or [])


def sms(key):
    v = lines(key + ".ms", scale_res)
    return statistics.median(int(x) for x in v) if v else None


def srss(key):
    v = lines(key + ".rss", scale_res)
    return max(int(x) for x in v) / 1024 if v else None


def sinput(p):
    kv_ = dict(l.split(" ", 1) for l in lines("size." + p, scale_res) or [])
    return int(kv_["input"]) if "input" in kv_ else None


def sname(p):
    n, r = p[1:].split("_r")
    return f"N={int(n):,}, R={int(r):,}"


w("## Scale: db-check up to 10,000 tables and 5,000 revisions")
w("")
w("`retort check --snapshot` (no drift) against the raw read of the same bytes (no parsing: the")
w("physical limit) and against reading + parsing them with simdjson, the parser Retort uses. The")
w("snapshot is `retort replay -o` of the history (gen.py's models are its head: "
  + ("the full run checked that it has the scan's bytes at N=1000, R=1000" if scale_meta.get("same_bytes_as_scan") == "yes"
     else "the scan writes the same bytes for them; a full run checks it at N=1000, R=1000")
  + f"). Commit {scale_meta.get('commit', '?')}, {scale_meta.get('date', '?')}, median of {scale_meta.get('runs', '?')} "
  "runs after a warm-up, the three interleaved.")
w("")
w("`db-check` is a full check: the history loaded, every downgrade replayed over its upgrade, lint")
w("and the replay to the head (CI on a fresh clone, the first check of a changed history). `cached`")
w("is `check --cache-dir` as the CMake targets run it, the history verified by an earlier check:")
w("the files hashed against retort.sum, the remembered head schema read and diffed with the models")
w("(the build after a change to the models).")
w("")
w("| case | input (snapshot + history) | db-check | cached | read + parse | raw read | check / raw read | cached / raw read | peak RSS | RSS / input |")
w("|---|---|---|---|---|---|---|---|---|---|")
for p in scale_cases:
    inp = sinput(p)
    c, pa, ra = sms(f"check.retort.{p}"), sms(f"check.parse.{p}"), sms(f"check.raw.{p}")
    cc = sms(f"check.cached.{p}")
    m = srss(f"check.retort.{p}")
    w(f"| {sname(p)} | {'n/a' if inp is None else f'{inp / 1e6:.1f} MB'} | {fms(c)} | {fms(cc)} | {fms(pa)} | {fms(ra)} | "
      f"{fr(ratio(c, ra))} | {fr(ratio(cc, ra))} | {fmb(m)} | {fr(None if m is None or inp is None else m * 1024 * 1024 / inp)} |")
w("")
w("Growth from each case to the next (target: the time grows at most 1.3x as much as the input):")
w("")
w("| step | input | db-check time | time / input growth | read + parse time | raw read time |")
w("|---|---|---|---|---|---|")
for a_, b_ in zip(scale_cases, scale_cases[1:]):
    ia, ib = sinput(a_), sinput(b_)
    ca, cb = sms(f"check.retort.{a_}"), sms(f"check.retort.{b_}")
    gi = ratio(ib, ia)
    gc = ratio(cb, ca)
    rel = ratio(gc, gi)
    ok = "n/a" if rel is None else (f"{rel:.2f} met" if rel <= 1.3 else f"{rel:.2f} MISSED")
    if rel is not None and rel > 1.3:
        missed.append(f"scale growth {sname(a_)} -> {sname(b_)}")
    w(f"| {sname(a_)} -> {sname(b_)} | {fr(gi)} | {fr(gc)} | {ok} | "
      f"{fr(ratio(sms(f'check.parse.{b_}'), sms(f'check.parse.{a_}')))} | "
      f"{fr(ratio(sms(f'check.raw.{b_}'), sms(f'check.raw.{a_}')))} |")
w("")
small, big = sms("check.retort.n1000_r1000"), sms("check.retort.n10000_r5000")
small_c, big_c = sms("check.cached.n1000_r1000"), sms("check.cached.n10000_r5000")
big_rss, big_in = srss("check.retort.n10000_r5000"), sinput("n10000_r5000")
targets = [
    ("db-check at N=1000, R=1000 under 100 ms, cached", small_c is not None and small_c < 100, fms(small_c)),
    ("db-check at N=1000, R=1000 under 100 ms, full", small is not None and small < 100, fms(small)),
    ("db-check at N=10,000, R=5,000 under 2 s, cached", big_c is not None and big_c < 2000, fms(big_c)),
    ("db-check at N=10,000, R=5,000 under 2 s, full", big is not None and big < 2000, fms(big)),
    ("its peak RSS under 5x the input bytes", big_rss is not None and big_in and big_rss * 1024 * 1024 < 5 * big_in,
     fr(None if big_rss is None or not big_in else big_rss * 1024 * 1024 / big_in)),
]
for label, ok, value in targets:
    w(f"- {label}: {value}, {'met' if ok else 'MISSED'}")
    if not ok:
        missed.append(label)
w("")
w("Samples (ms, in run order): " + "; ".join(
    f"{k} {sname(p)}: {' '.join(lines(f'check.{k}.{p}.ms', scale_res) or [])}"
    for p in scale_cases for k in ("retort", "cached", "parse", "raw")))
w("")

if stall_res:
    out.extend(stall_section(stall_res))
    w("")

if missed:
    w("Targets missed in this run: " + ", ".join(missed) + " (see the notes).")
else:
    w("Every target was met in this run.")
w("")
with open(notes_path) as f:
    w(f.read().rstrip())
print("\n".join(out))
