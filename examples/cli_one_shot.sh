#!/usr/bin/env bash
# One shot from the shell: learn a database and fill another one, nothing kept in between.
#
#   examples/cli_one_shot.sh TARGET_URL [EPOCHS]
#
# The source is the Chinook sample shipped with the package; add --db-url URL for your own.
# The target's tables are created when missing and must be empty when present.
set -euo pipefail
target=${1:?usage: cli_one_shot.sh TARGET_URL [EPOCHS]}
epochs=${2:-50}
python -m synthohive_seed --target-url "$target" --epochs "$epochs" --seed 7 \
    --num-rows Artist=50 --num-rows Genre=10 --quiet
echo "seeded $target"
