#!/usr/bin/env bash
# Runs grpc-stream-bench across a Kubernetes cluster: an echo-server fleet (Deployment + headless
# Service) and N generator shards (an Indexed Job) that start together, then merges their results.
#
#   launch.sh render [options]   print the rendered manifests (nothing is applied)
#   launch.sh run    [options]   apply, wait for the Job, collect each shard's results, merge
#
# Options (defaults in brackets):
#   --image IMAGE            container image built from deploy/kubernetes/Dockerfile (required)
#   --shards N               generator shards [3]
#   --namespace NS           namespace, must exist [default]
#   --name NAME              prefix of the resources' names [gsb]
#   --run-flags "FLAGS"      run flags for the whole run, split between the shards
#                            ["--streams 48 --in-flight 16 --duration 30"]
#   --server-replicas R      echo-server pods [2]
#   --run-id ID              [NAME-<UTC timestamp>]
#   --start-at TIME          ISO 8601 or epoch ms [now + --lead]
#   --lead SECONDS           time for the pods to be scheduled and started before the common start [90]
#   --generator-cpu C        CPU request = limit per generator pod [2]
#   --generator-memory M     memory request = limit per generator pod [1Gi]
#   --server-cpu C           CPU request = limit per echo-server pod [2]
#   --server-memory M        memory request = limit per echo-server pod [512Mi]
#   --out-dir DIR            where shard files and the merged file go (run) [results/RUN_ID]
#   --timeout SECONDS        how long to wait for the Job after the start time [600]
#   --keep                   leave the fleet and the Job in the cluster after the run
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

die() {
  echo "launch.sh: $*" >&2
  exit 2
}

mode="${1:-}"
case "$mode" in
  render | run) shift ;;
  -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "first argument must be render or run, got \"$mode\" (see --help)" ;;
esac

IMAGE=""
SHARDS=3
NAMESPACE=default
NAME=gsb
RUN_FLAGS="--streams 48 --in-flight 16 --duration 30"
SERVER_REPLICAS=2
RUN_ID=""
START_AT=""
LEAD=90
GENERATOR_CPU=2
GENERATOR_MEMORY=1Gi
SERVER_CPU=2
SERVER_MEMORY=512Mi
OUT_DIR=""
TIMEOUT=600
KEEP=false

while [ $# -gt 0 ]; do
  flag="$1"
  case "$flag" in
    --keep) KEEP=true; shift; continue ;;
  esac
  [ $# -ge 2 ] || die "$flag needs a value"
  value="$2"
  case "$flag" in
    --image) IMAGE="$value" ;;
    --shards) SHARDS="$value" ;;
    --namespace) NAMESPACE="$value" ;;
    --name) NAME="$value" ;;
    --run-flags) RUN_FLAGS="$value" ;;
    --server-replicas) SERVER_REPLICAS="$value" ;;
    --run-id) RUN_ID="$value" ;;
    --start-at) START_AT="$value" ;;
    --lead) LEAD="$value" ;;
    --generator-cpu) GENERATOR_CPU="$value" ;;
    --generator-memory) GENERATOR_MEMORY="$value" ;;
    --server-cpu) SERVER_CPU="$value" ;;
    --server-memory) SERVER_MEMORY="$value" ;;
    --out-dir) OUT_DIR="$value" ;;
    --timeout) TIMEOUT="$value" ;;
    *) die "unknown option $flag (see --help)" ;;
  esac
  shift 2
done

positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got \"$2\""; }
dns_label() { [[ "$2" =~ ^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$ ]] || die "$1 must be a DNS label (a-z, 0-9, '-', at most 32 characters), got \"$2\""; }
quantity() { [[ "$2" =~ ^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$ ]] || die "$1 must be a Kubernetes quantity (e.g. 2, 500m, 1Gi), got \"$2\""; }

[ -n "$IMAGE" ] || die "--image is required: an image built from deploy/kubernetes/Dockerfile and pushed where the cluster can pull it"
[[ "$IMAGE" =~ ^[A-Za-z0-9./:@_-]+$ ]] || die "--image must be an image reference (A-Z a-z 0-9 . / : @ _ -), got \"$IMAGE\""
positive --shards "$SHARDS"
positive --server-replicas "$SERVER_REPLICAS"
positive --lead "$LEAD"
positive --timeout "$TIMEOUT"
dns_label --namespace "$NAMESPACE"
dns_label --name "$NAME"
quantity --generator-cpu "$GENERATOR_CPU"
quantity --generator-memory "$GENERATOR_MEMORY"
quantity --server-cpu "$SERVER_CPU"
quantity --server-memory "$SERVER_MEMORY"
[[ "$RUN_FLAGS" =~ ^[A-Za-z0-9\ ._:/=,+-]*$ ]] || die "--run-flags may hold only A-Z a-z 0-9 space . _ : / = , + -, got \"$RUN_FLAGS\""
for own in --shard --run-id --start-at --target --out --json --allow-remote --client-cpus; do
  for word in $RUN_FLAGS; do
    [ "${word%%=*}" != "$own" ] || die "--run-flags must not contain $own: the launcher sets it for every shard"
  done
done

RUN_ID="${RUN_ID:-$NAME-$(date -u +%Y%m%dT%H%M%SZ)}"
[[ "$RUN_ID" =~ ^[A-Za-z0-9._-]{1,128}$ ]] || die "--run-id must be 1 to 128 characters of A-Z a-z 0-9 . _ -, got \"$RUN_ID\""
if [ -z "$START_AT" ]; then
  START_AT="$(date -u -d "@$(($(date +%s) + LEAD))" +%Y-%m-%dT%H:%M:%SZ)"
fi
# Job names are DNS labels: the run id lower-cased, other characters as '-', at most 63 in all.
JOB_NAME="$(printf '%s' "$NAME-gen-$RUN_ID" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9-' '-' | cut -c1-63 | sed 's/-*$//')"

export IMAGE SHARDS NAMESPACE NAME RUN_FLAGS SERVER_REPLICAS RUN_ID START_AT GENERATOR_CPU GENERATOR_MEMORY SERVER_CPU SERVER_MEMORY JOB_NAME
VARS='${IMAGE} ${SHARDS} ${NAMESPACE} ${NAME} ${RUN_FLAGS} ${SERVER_REPLICAS} ${RUN_ID} ${START_AT} ${GENERATOR_CPU} ${GENERATOR_MEMORY} ${SERVER_CPU} ${SERVER_MEMORY} ${JOB_NAME}'

render() {
  envsubst "$VARS" <"$here/echo-server.yaml.tmpl"
  echo "---"
  envsubst "$VARS" <"$here/generators-job.yaml.tmpl"
}

if [ "$mode" = render ]; then
  render
  exit 0
fi

command -v kubectl >/dev/null || die "kubectl is not on PATH"
OUT_DIR="${OUT_DIR:-results/$RUN_ID}"
mkdir -p "$OUT_DIR"
echo "run id     $RUN_ID" >&2
echo "start at   $START_AT ($SHARDS shards, job $JOB_NAME, namespace $NAMESPACE)" >&2

render | kubectl apply -f -
kubectl -n "$NAMESPACE" rollout status "deployment/$NAME-echo" --timeout=300s
deadline_s=$((LEAD + TIMEOUT))
if ! kubectl -n "$NAMESPACE" wait --for=condition=complete "job/$JOB_NAME" --timeout="${deadline_s}s"; then
  echo "launch.sh: job $JOB_NAME did not complete; collecting what the shards wrote" >&2
fi

# Each pod's results: the lines between the markers of its log, by completion index.
collected=()
pods="$(kubectl -n "$NAMESPACE" get pods -l "job-name=$JOB_NAME" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}')"
while read -r pod index; do
  [ -n "$pod" ] || continue
  file="$OUT_DIR/shard-$((index + 1))-of-$SHARDS.json"
  kubectl -n "$NAMESPACE" logs "$pod" -c generator |
    sed -n '/^----- BEGIN grpc-stream-bench results -----$/,/^----- END grpc-stream-bench results -----$/p' | sed '1d;$d' >"$file.tmp"
  if [ -s "$file.tmp" ]; then
    mv "$file.tmp" "$file"
    collected+=("$file")
  else
    rm -f "$file.tmp"
    echo "launch.sh: pod $pod (shard $((index + 1))/$SHARDS) left no results" >&2
  fi
done <<<"$pods"

if [ "$KEEP" != true ]; then
  kubectl -n "$NAMESPACE" delete job "$JOB_NAME" --wait=false >&2 || true
  kubectl -n "$NAMESPACE" delete deployment,service "$NAME-echo" --wait=false >&2 || true
fi

[ "${#collected[@]}" -gt 0 ] || die "no shard left results in $OUT_DIR"
cli=(node "$root/dist/cli/main.js")
command -v grpc-stream-bench >/dev/null && [ ! -f "$root/dist/cli/main.js" ] && cli=(grpc-stream-bench)
# merge refuses (exit 2) when a shard is missing; say --allow-missing yourself after reading why.
"${cli[@]}" merge "${collected[@]}" --out "$OUT_DIR/merged.json"
