# Shared by Scripts/multihost-test, slurm-test and container-test (sourced, not run).
# Logging, apt packages, the digits binary, tensor hashes, background processes stopped by
# PID, and one exit trap that undoes everything in reverse order, after failure too.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
script_name=$(basename "$0")
script_start=$EPOCHREALTIME

elapsed() { awk -v now="$EPOCHREALTIME" -v start="$script_start" 'BEGIN { printf "%.1f", now - start }'; }
log() { printf '%s [%5ss] %s\n' "$script_name" "$(elapsed)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ $(id -u) == 0 ]] || { echo "$script_name: needs root (network namespaces)" >&2; exit 1; }

# --- cleanup: actions run in reverse order on any exit -------------------------------------
cleanup_actions=()
at_exit() { cleanup_actions+=("$*"); }
run_cleanup() {
    local status=$? i start=$EPOCHREALTIME
    trap - EXIT INT TERM
    [[ $BASHPID == "$$" ]] || exit "$status" # a subshell: the main shell cleans up
    for ((i = ${#cleanup_actions[@]} - 1; i >= 0; i--)); do
        eval "${cleanup_actions[i]}" >/dev/null 2>&1 || true
    done
    log "torn down in $(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.3f", a - b }')s; total $(elapsed)s"
    exit "$status"
}
trap run_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- packages --------------------------------------------------------------------------------
# Installs the Debian packages that are missing; nothing when all are present.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- the digits binary -----------------------------------------------------------------------
# DIGITS_BIN, or a release build of this checkout. The resource bundle with the embedded
# MNIST must sit beside the binary.
resolve_digits() {
    if [[ -z ${DIGITS_BIN:-} ]]; then
        log "building digits (swift build -c release --product digits)"
        (cd "$repo_root" && Scripts/install-deps && swift build -c release --product digits >&2)
        DIGITS_BIN=$repo_root/.build/release/digits
    fi
    DIGITS_BIN=$(realpath "$DIGITS_BIN")
    [[ -x $DIGITS_BIN ]] || die "DIGITS_BIN=$DIGITS_BIN is not an executable"
    [[ -d $(dirname "$DIGITS_BIN")/digits_Datasets.resources ]] ||
        die "$(dirname "$DIGITS_BIN")/digits_Datasets.resources is missing: the embedded MNIST must sit beside the binary"
    export DIGITS_BIN
}

# Whether this digits has a flag or subcommand yet (CURVE and checkpoints arrive separately).
# (Help text is read whole: `grep -q` on a pipe would close it early, and pipefail would then
# report the writer's SIGPIPE as a failure.)
digits_has_keys() { [[ $("$DIGITS_BIN" --help 2>&1) =~ $'\n'\ +keys\ + ]]; }
digits_has_checkpoints() { [[ $("$DIGITS_BIN" coordinator --help 2>&1) == *--resume* ]]; }

# --- model files -----------------------------------------------------------------------------
# sha256 of a safetensors file's tensor bytes: everything after the 8-byte header length and
# the JSON header (whose metadata names the role and differs between train and coordinator).
tensor_sha256() {
    local n
    n=$(od -An -t u8 -N8 "$1" | tr -d ' ')
    [[ -n $n ]] || die "$1 is not a safetensors file"
    tail -c +$((9 + n)) "$1" | sha256sum | cut -d' ' -f1
}

# Compares two models' tensor bytes; prints both hashes.
same_weights() {
    local a b
    a=$(tensor_sha256 "$1")
    b=$(tensor_sha256 "$2")
    log "tensor sha256 $a  $1"
    log "tensor sha256 $b  $2"
    [[ $a == "$b" ]] || die "weights differ: $1 and $2"
}

# --- background processes, stopped by PID --------------------------------------------------
# start_bg NAME LOGFILE COMMAND...: runs COMMAND in the background; its PID is in pids[NAME].
# COMMAND must be a program, not a shell function, so that the PID is the program's own.
declare -A pids=() logs=()
start_bg() {
    local name=$1 logfile=$2
    shift 2
    "$@" >"$logfile" 2>&1 &
    pids[$name]=$!
    logs[$name]=$logfile
    at_exit "stop_pid ${pids[$name]}"
}

# SIGTERM, then SIGKILL after a few seconds; reaps the child.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# wait_pid NAME SECONDS: waits for a background process to end; fails if it ran too long or
# exited non-zero.
wait_pid() {
    local name=$1 seconds=$2 pid=${pids[$1]} i status
    for ((i = 0; i < seconds * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && { show_log "$name"; die "$name (pid $pid) still running after ${seconds}s"; }
    status=0
    wait "$pid" || status=$?
    ((status == 0)) || { show_log "$name"; die "$name exited with status $status"; }
}

# The last lines a background process wrote.
show_log() {
    log "--- last lines of $1 (${logs[$1]}):"
    tail -n 25 "${logs[$1]}" | tr '\r' '\n' | tail -n 25 >&2 || true
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_for() {
    local seconds=$1 what=$2 i
    shift 2
    for ((i = 0; i < seconds * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "timed out after ${seconds}s waiting for $what"
}
