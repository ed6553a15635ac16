#!/usr/bin/env python3
"""Strict, standalone JSON schemas for kubeconform, one per kind, from local inputs only.

  k8s-schemas.py OUT_DIR SWAGGER_JSON [CRD_YAML ...]

SWAGGER_JSON is a Kubernetes OpenAPI v2 document (k8s.io/cli-runtime ships one); each CRD_YAML
is a CustomResourceDefinition (the Prometheus Operator's). Files are named as kubeconform looks
them up with -schema-location 'OUT_DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json':
deployment-apps-v1.json, service-v1.json, servicemonitor-monitoring-v1.json.

Strict means what kubectl's validation means: an object that lists its properties accepts no
others (unless it says x-kubernetes-preserve-unknown-fields), and int-or-string is either.
"""
import json
import os
import sys

import yaml


def file_name(kind: str, group: str, version: str) -> str:
    suffix = f"-{group.split('.')[0].lower()}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def strict(node):
    """Returns a copy of a schema node with unlisted properties refused and int-or-string spelled out."""
    if isinstance(node, list):
        return [strict(x) for x in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string" or node.get("x-kubernetes-int-or-string"):
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    out = {k: strict(v) for k, v in node.items()}
    if "properties" in out and "additionalProperties" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def inline(node, definitions, stack=()):
    """Replaces every $ref with the definition it names (a recursive type stops at its second visit)."""
    if isinstance(node, list):
        return [inline(x, definitions, stack) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):  # (a property may be named $ref: JSONSchemaProps has one)
        name = ref.split("/")[-1]
        if name in stack:
            return {}
        return inline(definitions[name], definitions, stack + (name,))
    return {k: inline(v, definitions, stack) for k, v in node.items()}


def from_swagger(path: str, out_dir: str) -> int:
    with open(path, encoding="utf-8") as f:
        definitions = json.load(f)["definitions"]
    written = 0
    for name, schema in definitions.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            standalone = strict(inline(schema, definitions, (name,)))
            standalone["$schema"] = "http://json-schema.org/schema#"
            with open(os.path.join(out_dir, file_name(gvk["kind"], gvk.get("group", ""), gvk["version"])), "w", encoding="utf-8") as f:
                json.dump(standalone, f)
            written += 1
    return written


def from_crd(path: str, out_dir: str) -> int:
    with open(path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    spec = crd["spec"]
    written = 0
    for version in spec["versions"]:
        schema = strict(version["schema"]["openAPIV3Schema"])
        schema["$schema"] = "http://json-schema.org/schema#"
        with open(os.path.join(out_dir, file_name(spec["names"]["kind"], spec["group"], version["name"])), "w", encoding="utf-8") as f:
            json.dump(schema, f)
        written += 1
    return written


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir, swagger, crds = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    n = from_swagger(swagger, out_dir) + sum(from_crd(c, out_dir) for c in crds)
    print(f"{n} schemas in {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
