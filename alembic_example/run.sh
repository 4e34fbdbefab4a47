#!/usr/bin/env bash
# Migrate a fresh database to head, then seed it with synthetic bookshop rows.
#
#   alembic_example/run.sh DB_URL          e.g. sqlite:///shop.db  postgresql://postgres@127.0.0.1/shop
#
# SEED_EPOCHS (default 30) sets the training epochs; the dataset is data/*.csv.
set -euo pipefail
url=${1:?usage: run.sh DB_URL}
# A relative SQLite path means relative to where the caller stands, not to this folder.
case "$url" in
    sqlite:///[!/]*) url="sqlite:///$PWD/${url#sqlite:///}" ;;
esac
cd "$(dirname "$0")"
python -m alembic -c alembic.ini -x db_url="$url" upgrade head
python seed.py "$url"
