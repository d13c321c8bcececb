#!/usr/bin/env python3
"""Lines per operation of migration files, as they are and as `retort` writes them now.

  file_lines.py --retort BIN --migrations DIR

For each file of DIR, the operations of its upgrade and downgrade and the lines each takes
in the file as it is ("before": whatever layout wrote it) and in the layout of BIN
(`retort show --format json`, which prints the revision as `retort revision` writes it).
An operation is an element of "upgrade" or "downgrade": from its opening line at four spaces'
indentation to its closing one. Prints one row per operation kind and a total.
"""
import argparse
import collections
import json
import os
import re
import subprocess


def op_lines(text):
    """Lines of each operation element, in file order (upgrade, then downgrade)."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^    \{", line):
            if re.match(r"^    \{.*\},?$", line):  # the whole operation on one line
                out.append(1)
            else:
                start = i
                while not re.match(r"^    \},?$", lines[i]):
                    i += 1
                out.append(i - start + 1)
        i += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--retort", required=True)
    ap.add_argument("--migrations", required=True)
    args = ap.parse_args()
    before = collections.defaultdict(list)
    after = collections.defaultdict(list)
    files = sorted(f for f in os.listdir(args.migrations) if f.endswith(".json"))
    total_before = total_after = 0
    for name in files:
        path = os.path.join(args.migrations, name)
        with open(path) as f:
            text = f.read()
        doc = json.loads(text)
        kinds = [op["op"] for op in doc["upgrade"]] + [op["op"] for op in doc["downgrade"]]
        now = subprocess.run([args.retort, "--migrations", args.migrations, "--format", "json", "show", doc["id"]],
                             check=True, capture_output=True, text=True).stdout
        total_before += len(text.splitlines())
        total_after += len(now.splitlines())
        for kind, b, a in zip(kinds, op_lines(text), op_lines(now), strict=True):
            before[kind].append(b)
            after[kind].append(a)
    print(f"{'operation':<18} {'count':>5} {'lines before':>13} {'lines after':>12}   (mean per operation)")
    for kind in sorted(before):
        n = len(before[kind])
        print(f"{kind:<18} {n:>5} {sum(before[kind]) / n:>13.1f} {sum(after[kind]) / n:>12.1f}")
    ops = sum(len(v) for v in before.values())
    print(f"{'all files':<18} {ops:>5} {total_before:>13} {total_after:>12}   (total lines of {len(files)} files)")


if __name__ == "__main__":
    main()
