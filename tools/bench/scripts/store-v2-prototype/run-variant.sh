#!/usr/bin/env bash
# Runs scripts/probe-jobby.ts on a store-v2 prototype variant.
# Usage: run-variant.sh <variant> [jobs]   variants: baseline, split, split-nopk, narrow, narrow-hot, ...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
variant=$1; jobs=${2:-20000}
outcome_indexes='create index on @.v2_outcomes (finished_at);'
case $variant in
  baseline) sql='' ;;
  split) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split.sql") ;;
  split-nopk) sql=$(sed -e 's/RUNNING_PK//' "$here/split.sql") ;;
  split-1idx) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split.sql"); outcome_indexes='' ;;
  split-3idx) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split.sql"); outcome_indexes='create index on @.v2_outcomes (finished_at); create index on @.v2_outcomes (type_id, finished_at);' ;;
  split2) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split2.sql"); outcome_indexes='create index on @.v2_outcomes (type_id, outcome, finished_at);' ;;
  split2-brin) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split2.sql"); outcome_indexes='create index on @.v2_outcomes using brin (finished_at);' ;;
  split2-fail) sql=$(sed -e 's/RUNNING_PK/primary key/' "$here/split2.sql"); outcome_indexes="create index on @.v2_outcomes using brin (finished_at); create index on @.v2_outcomes (type_id, finished_at) where outcome <> 's';" ;;
  narrow) sql=$(sed -e "s/FILLFACTOR/90/; s/CLAIM_PREDICATE/state = 'q'/; s/CLAIM_FILTER/r.state = 'q'/; s/LEASE_INDEX/create index on @.v2_queue (lease_expires_at) where state = 'r';/" "$here/narrow.sql") ;;
  narrow-nolease) sql=$(sed -e "s/FILLFACTOR/90/; s/CLAIM_PREDICATE/state = 'q'/; s/CLAIM_FILTER/r.state = 'q'/; s/LEASE_INDEX//" "$here/narrow.sql") ;;
  narrow-hot) sql=$(sed -e "s/FILLFACTOR/50/; s/CLAIM_PREDICATE/pending_dependencies = 0/; s/CLAIM_FILTER/r.pending_dependencies = 0 and r.state = 'q'/; s/LEASE_INDEX//" "$here/narrow.sql") ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
sql=${sql//OUTCOME_INDEXES/$outcome_indexes}
cd "$here/../.."
EXTRA_SQL="$sql" npx tsx --conditions=@jobby/source scripts/probe-jobby.ts "$jobs" 500 2>&1 | grep -E 'processed|wal per job|machine cpu|jobClaim|jobComplete|enqueue'
