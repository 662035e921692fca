#!/usr/bin/env bash
# Regenerates src/Skiff.Api/Protobuf/k8s-proto-schema.txt (the protobuf wire schema Skiff.Api embeds) from
# ../shared/data/k8s-proto-schema-v1.32.json plus the upstream Go type definitions at the same tag (field order,
# pointer-ness, omitempty and inline, which the wire schema lacks). Run by hand; builds never need the inputs.
#
#   hack/update-proto-schema.sh                      # Go sources from git mirrors (see K8S_API_GIT below)
#   K8S_API_DIR=... K8S_APIMACHINERY_DIR=... hack/update-proto-schema.sh   # or from checked-out trees
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
schema="${SCHEMA:-}"
if [[ -z "$schema" ]]; then # ../shared beside the repo (or beside the worktree's parent)
  for d in "$root/../shared" "$root/../../shared"; do
    [[ -f "$d/data/k8s-proto-schema-v1.32.json" ]] && { schema="$d/data/k8s-proto-schema-v1.32.json"; break; }
  done
fi
[[ -n "$schema" ]] || { echo "k8s-proto-schema-v1.32.json not found; set SCHEMA=" >&2; exit 1; }
tag="${K8S_TAG:-v0.32.9}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

extract() { # <git dir> <dest>
  mkdir -p "$2"
  git --git-dir="$1" archive "$tag" | tar -x -C "$2"
}

api="${K8S_API_DIR:-}"
am="${K8S_APIMACHINERY_DIR:-}"
if [[ -z "$api" ]]; then
  api="$tmp/api"; extract "${K8S_API_GIT:-/work/.mirror/kubernetes+api/repo}" "$api"
fi
if [[ -z "$am" ]]; then
  am="$tmp/apimachinery"; extract "${K8S_APIMACHINERY_GIT:-/work/.mirror/kubernetes+apimachinery/repo}" "$am"
fi

dotnet run --project "$root/tools/Skiff.ProtoSchemaGen" -c Release -- \
  --schema "$schema" \
  --go "k8s.io.api=$api" \
  --go "k8s.io.apimachinery=$am" \
  --out "$root/src/Skiff.Api/Protobuf/k8s-proto-schema.txt"
