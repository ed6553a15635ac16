"""Generates memory_engine_client/_generated from the service's proto when the package is built.

The proto lives at the repository root (../../proto); it is copied into the package so that an
sdist carries it too. grpcio-tools (a build requirement) runs protoc; the generated gRPC module
imports its messages as `memory.v1`, which is rewritten to a relative import so the package
needs no entry on sys.path.
"""
import os
import shutil

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "memory_engine_client")
PROTO_IN_REPO = os.path.join(HERE, "..", "..", "proto", "memory", "v1", "memory.proto")
PROTO_IN_PACKAGE = os.path.join(PACKAGE, "proto", "memory", "v1", "memory.proto")


def generate() -> None:
    from grpc_tools import protoc  # a build requirement

    if os.path.exists(PROTO_IN_REPO):
        os.makedirs(os.path.dirname(PROTO_IN_PACKAGE), exist_ok=True)
        shutil.copyfile(PROTO_IN_REPO, PROTO_IN_PACKAGE)
    if not os.path.exists(PROTO_IN_PACKAGE):
        raise RuntimeError(f"memory.proto not found at {PROTO_IN_REPO}: build inside the memory-engine repository")
    out = os.path.join(PACKAGE, "_generated")
    work = os.path.join(HERE, "build", "protoc")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    proto_root = os.path.join(PACKAGE, "proto")
    code = protoc.main(["protoc", f"-I{proto_root}", f"--python_out={work}", f"--pyi_out={work}", f"--grpc_python_out={work}", os.path.join(proto_root, "memory", "v1", "memory.proto")])
    if code != 0:
        raise RuntimeError(f"protoc failed with {code}")
    os.makedirs(out, exist_ok=True)
    generated = os.path.join(work, "memory", "v1")
    for name in ("memory_pb2.py", "memory_pb2.pyi", "memory_pb2_grpc.py"):
        with open(os.path.join(generated, name), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("from memory.v1 import memory_pb2 as", "from . import memory_pb2 as")
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(out, "__init__.py"), "w", encoding="utf-8") as f:
        f.write('"""Generated at build time from memory/v1/memory.proto by grpcio-tools; never edited by hand."""\n')


# Every setup command needs the generated package to exist (egg_info lists it), so generate first.
generate()
setup()
