#!/usr/bin/env bash
# Builds skiff and runs the all-in-one local cluster (`skiff up`) on the embedded SQLite store.
# Usage: hack/local-up-cluster.sh [--data-dir DIR] [--port 6443] [--storage sqlite|memory|etcd] [--etcd-servers URL,...]
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir_given=0
for a in "$@"; do [ "$a" = "--data-dir" ] && data_dir_given=1; done
extra=()
[ $data_dir_given = 1 ] || extra=(--data-dir "$PWD/_output/local-up")
dotnet build src/Skiff -c Release -o _output/bin >/dev/null
exec _output/bin/skiff up "${extra[@]}" "$@"
