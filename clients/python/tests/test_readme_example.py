"""The repository README's Python example, run as written against a real service."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import AVAILABLE, REPO

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="the memory-engine service is not available")


def test_readme_python_example(service):
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        m = re.search(r"<!-- example:python -->\n```python\n(.*?)\n```", f.read(), re.S)
    assert m, "README has no example:python"
    r = subprocess.run([sys.executable, "-c", m.group(1)], env={**os.environ, "MEMORY_ENGINE_ADDRESS": service.address}, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.match(r"^-?\d+(\.\d+)? Alice is allergic to peanuts$", lines[0])
    assert "Alice is allergic to peanuts" in r.stdout.split("\n", 1)[1]
