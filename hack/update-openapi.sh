#!/usr/bin/env bash
# Regenerates src/Skiff.ApiServer/OpenApi/Generated/definitions.json (the OpenAPI v3 schemas of the built-in types)
# from the KubernetesClient models (version in Directory.Packages.props), their XML docs, the Kubernetes 1.32 proto
# facts (../shared/data/k8s-proto-schema-v1.32.json, found in a parent directory; or pass --proto-schema FILE) and
# the fact tables in tools/Skiff.OpenApiGen. Run it after bumping KubernetesClient or editing a fact table, then
# commit the result. `hack/update-openapi.sh --check` only verifies that the committed file is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project tools/Skiff.OpenApiGen -c Release -- "$@"
