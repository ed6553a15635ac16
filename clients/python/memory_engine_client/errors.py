"""The one error type the client raises: a gRPC status, with the request field the service named."""
from __future__ import annotations

import re
from typing import Optional

import grpc

# The service words field errors as "<proto path>: <what is wrong>" (memory.importance, items[3].content).
_FIELD = re.compile(r"^([A-Za-z_][\w.]*(?:\[[^\]]*\])*(?:\.[A-Za-z_]\w*(?:\[[^\]]*\])*)*): (.*)$", re.S)


class MemoryEngineError(Exception):
    """A failed call. `code` is the grpc.StatusCode, `status` its name (INVALID_ARGUMENT, …)."""

    def __init__(self, code: grpc.StatusCode, details: str, method: str) -> None:
        m = _FIELD.match(details or "")
        self.code = code
        self.status: str = code.name
        self.field: Optional[str] = m.group(1) if m and code == grpc.StatusCode.INVALID_ARGUMENT else None
        self.details: str = m.group(2) if m and self.field else (details or "")
        self.method = method
        super().__init__(f"{method}: {self.status}: {details}")

    @classmethod
    def from_rpc_error(cls, method: str, e: grpc.RpcError) -> "MemoryEngineError":
        code = e.code() if callable(getattr(e, "code", None)) else grpc.StatusCode.UNKNOWN
        details = e.details() if callable(getattr(e, "details", None)) else str(e)
        return cls(code or grpc.StatusCode.UNKNOWN, details or "", method)
