#!/usr/bin/env bash
# The packages only the benchmark needs (Debian 12), on top of ci/install-deps.sh's: Alembic and
# SQLAlchemy for the side-by-side figures, GNU time for peak RSS, valgrind and perf to profile.
set -euo pipefail
pkgs=(python3-alembic python3-sqlalchemy python3-psycopg2 time valgrind linux-perf clang-14)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
((${#missing[@]} == 0)) && exit 0
sudo=""
[[ $(id -u) == 0 ]] || sudo=sudo
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
