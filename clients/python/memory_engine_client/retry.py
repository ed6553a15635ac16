"""When a failed call is tried again: only calls safe to repeat, only on UNAVAILABLE, with
exponential backoff and full jitter, and never past the call's deadline (as the TypeScript client)."""
from __future__ import annotations

import random
from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # attempts in all, the first included; 1 = no retries
    initial_backoff: float = 0.05  # seconds: the backoff ceiling of the first retry, doubling
    max_backoff: float = 2.0  # seconds: the largest ceiling

    def backoff(self, retry: int) -> float:
        """The wait before retry number `retry` (1-based): uniform in [0, ceiling]."""
        return random.uniform(0, min(self.max_backoff, self.initial_backoff * 2 ** (retry - 1)))


NO_RETRIES = RetryPolicy(max_attempts=1)

# Reads, and deletes or imports by id: repeating them changes nothing.
_IDEMPOTENT = {
    "Get", "List", "Search", "SearchBatch", "AssembleContext", "WarmSession", "GetProfile", "ListTopics", "GetTopic",
    "GetSummary", "GetRelated", "GetJob", "GetTask", "ListTasks", "ListAuditEvents", "ListUsers", "Forget", "ForgetUser",
    "ImportUser",
}


def is_idempotent(method: str, request) -> bool:
    if method in _IDEMPOTENT:
        return True
    # A Remember with the caller's id is a no-op when repeated (the service compares the content).
    if method == "Remember":
        return bool(request.memory.id)
    if method == "RememberBatch":
        return all(item.id for item in request.items)
    return False


def is_retryable(code: grpc.StatusCode) -> bool:
    return code == grpc.StatusCode.UNAVAILABLE

