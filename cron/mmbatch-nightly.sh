#!/usr/bin/env bash
# Nightly wrapper for `mmbatch run`, meant for cron.
#
# - Runs from the mmbatch checkout that contains this script (or MMBATCH_HOME), so the
#   default catalogue, model, database and reports folders apply.
# - Takes an exclusive flock on the log folder's lock file, so two nightly runs never
#   overlap, even before mmbatch's own run lock is reached. A second start exits with 4,
#   the code mmbatch uses for "another run holds the lock".
# - Appends everything mmbatch prints to logs/mmbatch-YYYYMMDD.log, with UTC timestamped
#   start and end lines around it, and exits with mmbatch's own exit code (1 = some users
#   failed, 3 = bad input, ...). On any failure it also prints one line to stderr, which
#   cron mails to the crontab's owner; a successful night prints nothing.
#
# Environment (all optional):
#   MMBATCH_HOME      the checkout to run from (default: the folder above this script)
#   MMBATCH_BIN       the mmbatch executable (default: .build/release/mmbatch)
#   MMBATCH_LOG_DIR   where log files go (default: $MMBATCH_HOME/logs)
#   MMBATCH_ARGS      extra arguments for `mmbatch run`, e.g. "--workers 4 --db /srv/mmbatch.db"
set -u

home=${MMBATCH_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${MMBATCH_BIN:-$home/.build/release/mmbatch}
log_dir=${MMBATCH_LOG_DIR:-$home/logs}

mkdir -p "$log_dir" || { echo "mmbatch-nightly: cannot create log folder $log_dir" >&2; exit 5; }
log_file="$log_dir/mmbatch-$(date -u +%Y%m%d).log"
stamp() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# Writes a line to the log and, for cron's mail, to stderr.
fail() {
    echo "$(stamp) $1" >>"$log_file"
    echo "mmbatch-nightly: $1 (log: $log_file)" >&2
}

if [ ! -x "$bin" ]; then
    fail "ERROR mmbatch executable not found bin=$bin (build it with: swift build -c release)"
    exit 6
fi

exec 9>>"$log_dir/mmbatch-nightly.lock"
if ! flock -n 9; then
    fail "WARN nightly run skipped: another nightly run is still going lock=$log_dir/mmbatch-nightly.lock"
    exit 4
fi

cd "$home" || exit 6
echo "$(stamp) INFO nightly run started home=$home pid=$$" >>"$log_file"
# shellcheck disable=SC2086 # MMBATCH_ARGS is split into words on purpose.
"$bin" run ${MMBATCH_ARGS:-} >>"$log_file" 2>&1 9>&-
status=$?
echo "$(stamp) INFO nightly run finished exit=$status" >>"$log_file"
if [ "$status" -ne 0 ]; then
    echo "mmbatch-nightly: mmbatch run exited with $status (log: $log_file)" >&2
fi
exit $status
