#!/usr/bin/env bash
# What the Kubernetes chart's tests need, from registries only, into a cache outside the repository:
#   helm and kubeconform, built from the Go module proxy;
#   strict JSON schemas for kubeconform (scripts/k8s-schemas.py) from the Kubernetes OpenAPI
#   document in k8s.io/cli-runtime and the Prometheus Operator's CRDs, both Go modules.
# Prints the directory with bin/helm, bin/kubeconform and schemas/. About 6 minutes the first
# time (helm's build); idempotent: a second run only prints the path.
set -euo pipefail
helm_version="v4.3.2"
kubeconform_version="v0.8.0"
openapi_module="k8s.io/cli-runtime@v0.37.2"
operator_module="github.com/prometheus-operator/prometheus-operator@v0.85.0"
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
out="$cache/k8s"
stamp="$out/versions"
want="$helm_version $kubeconform_version $openapi_module $operator_module"
if [ ! -x "$out/bin/helm" ] || [ ! -x "$out/bin/kubeconform" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  command -v go >/dev/null || { echo "k8s-tools.sh: the go command is needed" >&2; exit 1; }
  mkdir -p "$out/bin"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && GOBIN="$out/bin" go install "helm.sh/helm/v4/cmd/helm@$helm_version") >&2
  (cd "$work" && GOBIN="$out/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version") >&2
  dir_of() { (cd "$work" && go mod download -json "$1") | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'; }
  openapi="$(dir_of "$openapi_module")/artifacts/openapi/swagger.json"
  crds="$(dir_of "$operator_module")/example/prometheus-operator-crd"
  python3 -m pip install --quiet --disable-pip-version-check --target "$out/pip" pyyaml >&2
  rm -rf "$out/schemas"
  PYTHONPATH="$out/pip" python3 "$(dirname "$0")/k8s-schemas.py" "$out/schemas" "$openapi" \
    "$crds/monitoring.coreos.com_servicemonitors.yaml" "$crds/monitoring.coreos.com_prometheusrules.yaml"
  echo "$want" > "$stamp"
fi
echo "$out"
