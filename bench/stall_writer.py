#!/usr/bin/env python3
"""The writer of bench/stall_bench.sh: one session inserting into items, one row per transaction,
as fast as it can, until STOP_FILE exists; then writes the wall time (ns) of every successful
insert to OUT_FILE. `gap` reads such a file and prints the longest time (ms) without a successful
insert that overlaps the window [T0_NS, T1_NS].
usage: stall_writer.py write DSN STOP_FILE OUT_FILE
       stall_writer.py gap OUT_FILE T0_NS T1_NS"""
import os
import sys
import time


def write(dsn, stop_file, out_file):
    import psycopg2  # Debian's python3-psycopg2 (bench/install-deps.sh)

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("PREPARE ins(int, bigint) AS INSERT INTO items (x, ref, y, pad) VALUES ($1, $2, $1, 'written')")
    done = []
    n = 0
    while not os.path.exists(stop_file):
        n += 1
        cur.execute("EXECUTE ins(%s, %s)", (n % 1000, n % 1000 + 1))
        done.append(time.time_ns())
    with open(out_file, "w") as f:
        f.write("\n".join(str(t) for t in done) + "\n")


def gap(out_file, t0, t1):
    with open(out_file) as f:
        done = [int(l) for l in f if l.strip()]
    longest = 0
    for a, b in zip(done, done[1:]):
        if b >= t0 and a <= t1:
            longest = max(longest, b - a)
    print(f"{longest / 1e6:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(*sys.argv[2:5])
    else:
        gap(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
