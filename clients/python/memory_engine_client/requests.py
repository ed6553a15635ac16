"""Request messages from what the caller passed: a generated message as is, or keyword arguments
/ a dict in snake_case or camelCase (protobuf's JSON names). An unknown key is refused with
INVALID_ARGUMENT naming it, before anything is sent."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from .errors import MemoryEngineError


def build_request(method: str, request_type: type, request: Optional[Any], fields: Mapping[str, Any]) -> Message:
    if request is not None:
        if fields:
            raise MemoryEngineError(grpc.StatusCode.INVALID_ARGUMENT, "request: pass a message or keyword arguments, not both", method)
        if isinstance(request, request_type):
            return request
        if not isinstance(request, Mapping):
            raise MemoryEngineError(grpc.StatusCode.INVALID_ARGUMENT, f"request: must be a {request_type.__name__} or a dict", method)
        fields = request
    try:
        return json_format.ParseDict(dict(fields), request_type())
    except json_format.ParseError as e:
        raise MemoryEngineError(grpc.StatusCode.INVALID_ARGUMENT, _field_message(str(e)), method) from e


def _field_message(message: str) -> str:
    # ParseDict says 'Message type "memory.v1.MemoryInput" has no field named "colour" at "RememberRequest.memory".'
    # and 'Failed to parse importance field: … at "RememberRequest.memory".'; lead with the path.
    m = re.search(r'has no field named "([^"]+)" at "([^"]+)"', message)
    if m:
        path = m.group(2).split(".", 1)[1] + "." + m.group(1) if "." in m.group(2) else m.group(1)
        return f"{path}: unknown field ({message})"
    m = re.search(r'Failed to parse (\w+) field: (.*) at "([^"]+)"', message, re.S)
    if m:
        at = m.group(3).split(".", 1)
        path = (at[1] + "." if len(at) > 1 else "") + m.group(1)
        return f"{path}: {m.group(2).strip().rstrip('.')}"
    return f"request: {message}"
