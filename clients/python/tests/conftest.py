"""The real memory-engine service for the Python client's tests: the repository's src/main.ts
under its tsx, on a loopback port, in a temp data directory, stopped after. Without the
repository's node_modules the tests skip loudly; under CI=true that is a failure."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MAIN = os.path.join(REPO, "src", "main.ts")


def _available() -> bool:
    if os.path.exists(MAIN) and os.path.isdir(os.path.join(REPO, "node_modules", "tsx")) and shutil.which("node"):
        return True
    msg = f"the memory-engine service ({MAIN} with the repository's node_modules, and node) is not there: run npm ci at the repository root. Python client tests are SKIPPED."
    if os.environ.get("CI") == "true":
        raise RuntimeError(msg + " In CI this is a failure.")
    warnings.warn(msg)
    return False


AVAILABLE = _available()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    data_dir: str
    port: int = 0
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    log: str = ""

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "Service":
        env = {**os.environ, "DATA_DIR": self.data_dir, "GRPC_ADDRESS": f"127.0.0.1:{self.port}", "HTTP_ADDRESS": "127.0.0.1:0", "EMBEDDER": "lexical", "LOG_LEVEL": "info", **self.env}
        self.process = subprocess.Popen(["node", "--import", "tsx", MAIN], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()

        def read() -> None:
            assert self.process and self.process.stdout
            for line in self.process.stdout:
                self.log = (self.log + line)[-4000:]
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if msg.get("msg") == "serving" and msg.get("grpcPort"):
                    self.port = msg["grpcPort"]
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the service did not start: {self.log}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)

    def create_api_key(self, scope: str) -> str:
        r = subprocess.run(["node", "--import", "tsx", MAIN, "keys", "create", "--name", "py-test", "--scope", scope], cwd=REPO, env={**os.environ, "DATA_DIR": self.data_dir}, capture_output=True, text=True, check=True)
        return r.stdout.strip()


@pytest.fixture
def make_service() -> Iterator:
    """Makes services in their own temp data directories; stops and removes them after the test."""
    made = []

    def make(**env: str) -> Service:
        s = Service(data_dir=tempfile.mkdtemp(prefix="me-py-"), env=dict(env))
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()
        shutil.rmtree(s.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    if not AVAILABLE:
        pytest.skip("the memory-engine service is not available")
    s = Service(data_dir=tempfile.mkdtemp(prefix="me-py-")).start()
    yield s
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)
