#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need when it is missing (etcd, kubectl is expected
# at /usr/bin/kubectl), restores NuGet packages and runs `dotnet test` on the solution.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The node's container stack (the kubelet's real runtime, issue 12) and the offline test image's busybox.
command -v containerd >/dev/null 2>&1 || need_apt+=(containerd)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
[ -x /usr/lib/cni/bridge ] || need_apt+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need_apt+=(iptables)
# kube-proxy (src/Skiff.Proxy) programs the node in upstream's nftables mode, one `nft -f` per sync.
command -v nft >/dev/null 2>&1 || need_apt+=(nftables)
[ -x /bin/busybox ] || need_apt+=(busybox-static)
# The official Python client for tests/Skiff.ClientCompat.Tests (Debian's package, seen by /usr/bin/python3).
/usr/bin/python3 -c 'import kubernetes, yaml' >/dev/null 2>&1 || need_apt+=(python3-kubernetes)
# The official JavaScript client's npm (tests/Skiff.ClientCompat.Tests/js), from Debian when the machine has no Node.js.
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "hack/test.sh: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "hack/test.sh: missing ${need_apt[*]}; install them (apt-get install ${need_apt[*]}) or run as root" >&2
    exit 1
  fi
fi
# Debian starts an etcd service on install; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then systemctl stop etcd >/dev/null 2>&1 || true; fi

# The official JavaScript client for tests/Skiff.ClientCompat.Tests, pinned by its package-lock.json.
if command -v npm >/dev/null 2>&1; then
  (cd tests/Skiff.ClientCompat.Tests/js && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "hack/test.sh: npm not found; the JavaScript client tests will fail in CI" >&2
fi

dotnet restore Skiff.sln
dotnet build Skiff.sln -c Release --no-restore
log=$(mktemp)
set +e
dotnet test Skiff.sln -c Release --no-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# The newcomer's path: a fresh clone has no ../shared beside it. The test projects that read it run a second time with
# the fixture lookup pointed at a directory that does not exist (every locator honours SKIFF_SHARED_DIR), so CI runs
# exactly what a fresh clone runs, fixture-dependent cases skipped.
for project in tests/Skiff.Api.Tests tests/Skiff.Client.Tests tests/Skiff.OpenApiGen.Tests; do
  echo "hack/test.sh: $project without ../shared (SKIFF_SHARED_DIR=/nonexistent)"
  SKIFF_SHARED_DIR=/nonexistent dotnet test "$project" -c Release --no-build "$@" 2>&1 | tee -a "$log"
  prc=${PIPESTATUS[0]}
  if [ "$prc" -ne 0 ] && [ "$rc" -eq 0 ]; then rc=$prc; fi
done
set -e
# One closing line over every test assembly and both runs, e.g. "tests: 948 passed, 0 failed, 2 skipped".
awk '/^(Passed|Failed|Skipped)!/ { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v);
        if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$rc"
