#!/usr/bin/env bash
# The deployment files: the manifests under deploy/k8s validated against the
# Kubernetes API schemas (npm's kubernetes-models), a broken manifest shown
# to be rejected, and the ConfigMap's policies checked by the policy compiler.
#   tests/k8s/run.sh BINARY
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE_DIR=${SECIMPORT_K8S_NODE_DIR:-$ROOT/.output/k8s-validate}
failed=0

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "Bail out! node and npm are needed to validate the manifests (scripts/install-deps.sh)"
	exit 1
fi
mkdir -p "$NODE_DIR"
cp "$HERE/validate.mjs" "$NODE_DIR/"
if [ ! -d "$NODE_DIR/node_modules/kubernetes-models" ]; then
	(cd "$NODE_DIR" && npm install --no-audit --no-fund --silent --no-save \
		kubernetes-models@5.1.0 js-yaml@4.1.0) || {
		echo "Bail out! npm install kubernetes-models failed"
		exit 1
	}
fi

echo "# manifests against the Kubernetes API schemas"
if node "$NODE_DIR/validate.mjs" "$ROOT"/deploy/k8s/*.yaml; then
	echo "ok 1 - deploy/k8s validates"
else
	echo "not ok 1 - deploy/k8s validates"
	failed=1
fi

# The validator must be able to fail: a DaemonSet with a wrong type.
broken=$(mktemp /tmp/secimport-k8s.XXXXXX.yaml)
sed 's/hostPID: true/hostPID: "yes"/' "$ROOT/deploy/k8s/daemonset.yaml" >"$broken"
if node "$NODE_DIR/validate.mjs" "$broken" | grep -q 'invalid: .*hostPID must be boolean'; then
	echo "ok 2 - a broken DaemonSet is rejected"
else
	echo "not ok 2 - a broken DaemonSet is rejected"
	failed=1
fi
rm -f "$broken"

# Every policy in the ConfigMap compiles.
dir=$(mktemp -d /tmp/secimport-k8s.XXXXXX)
node -e '
const yaml = require(process.argv[1] + "/node_modules/js-yaml");
const fs = require("fs");
const cm = yaml.load(fs.readFileSync(process.argv[2], "utf8"));
for (const [k, v] of Object.entries(cm.data)) fs.writeFileSync(process.argv[3] + "/" + k, v);
' "$NODE_DIR" "$ROOT/deploy/k8s/configmap.yaml" "$dir"
n=0
for f in "$dir"/*; do
	n=$((n + 1))
	if "$BIN" policy check "$f" >/dev/null 2>"$dir/err"; then
		echo "ok $((n + 2)) - ConfigMap policy ${f##*/} compiles"
	else
		echo "not ok $((n + 2)) - ConfigMap policy ${f##*/} compiles: $(head -1 "$dir/err")"
		failed=1
	fi
done
rm -rf "$dir"
echo "1..$((n + 2))"
exit $failed
