"""MemoryClient (blocking) against the real service."""
from __future__ import annotations

import threading
import time

import grpc
import pytest

from memory_engine_client import MemoryClient, MemoryEngineError, RetryPolicy, messages
from conftest import AVAILABLE, free_port

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="the memory-engine service is not available")


def test_remember_and_search_with_keywords_dicts_or_messages(service):
    with MemoryClient(service.address, actor_id="py-test") as memory:
        first = memory.remember(user_id="py-alice", memory={"content": "Alice is allergic to peanuts", "tags": ["health"], "metadata": {"source_id": "chat-1"}})
        assert first.created
        # camelCase (protobuf's JSON names) works too, and so does a generated message.
        memory.remember({"userId": "py-alice", "memory": {"content": "Alice flies to Lisbon in May", "sessionId": "s1"}})
        memory.remember(messages.RememberRequest(user_id="py-alice", memory=messages.MemoryInput(content="Alice plays the cello")))
        hits = memory.search(user_id="py-alice", query="food allergy peanuts", top_k=3).hits
        assert hits[0].memory.content == "Alice is allergic to peanuts"
        assert dict(hits[0].memory.metadata) == {"source_id": "chat-1"}
        assert memory.get(user_id="py-alice", id=first.id).tags == ["health"]


def test_unknown_field_is_refused_before_sending(service):
    with MemoryClient(service.address) as memory:
        with pytest.raises(MemoryEngineError) as e:
            memory.remember(user_id="py-bob", memory={"content": "Bob likes tea", "colour": "green"})
        assert e.value.status == "INVALID_ARGUMENT"
        assert e.value.field == "memory.colour"
        assert len(memory.list(user_id="py-bob").memories) == 0


def test_service_errors_carry_status_and_field(service):
    with MemoryClient(service.address) as memory:
        with pytest.raises(MemoryEngineError) as e:
            memory.remember(user_id="py-carol", memory={"content": "x", "importance": 1.5})
        assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert e.value.field == "memory.importance"
        assert e.value.method == "Remember"
        with pytest.raises(MemoryEngineError) as missing:
            memory.get(user_id="py-carol", id="00000000-0000-4000-8000-000000000000")
        assert missing.value.status == "NOT_FOUND"
        assert missing.value.field is None


def test_every_call_has_a_deadline(service):
    with MemoryClient(service.address) as memory:
        with pytest.raises(MemoryEngineError) as e:
            memory.search(user_id="py-alice", query="peanuts", timeout=0.0)
        assert e.value.status == "DEADLINE_EXCEEDED"


def test_streams_are_iterators(service):
    with MemoryClient(service.address) as memory:
        memory.remember(user_id="py-dan", memory={"content": "Dan is vegetarian"})
        names = [c.section.name for c in memory.stream_context(user_id="py-dan", query="what does Dan eat?", token_budget=400) if c.HasField("section")]
        assert "semantic" in names
        lines = [line for chunk in memory.export_user(user_id="py-dan") for line in chunk.lines]
        assert '"type":"header"' in lines[0]


def test_retries_idempotent_calls_across_a_restart_and_never_others(make_service):
    service = make_service()
    service.port = free_port()
    service.start()
    with MemoryClient(service.address, timeout=60, retry=RetryPolicy(max_attempts=100, initial_backoff=0.1, max_backoff=0.5)) as memory:
        memory.remember(user_id="py-erin", memory={"content": "Erin runs marathons"})
        service.stop()
        with pytest.raises(MemoryEngineError) as e:
            memory.remember(user_id="py-erin", memory={"content": "Erin lives in Oslo"})
        assert e.value.status == "UNAVAILABLE"
        with MemoryClient(service.address, retry=None) as no_retries:
            with pytest.raises(MemoryEngineError):
                no_retries.search(user_id="py-erin", query="marathon")
        restarted = threading.Timer(1.0, service.start)
        restarted.start()
        started = time.monotonic()
        hits = memory.search(user_id="py-erin", query="marathon").hits
        restarted.join()
        assert hits[0].memory.content == "Erin runs marathons"
        assert time.monotonic() - started >= 1.0


def test_api_keys(make_service):
    service = make_service(AUTH="on")
    key = service.create_api_key("user:py-frank")
    service.start()
    with MemoryClient(service.address) as anonymous:
        with pytest.raises(MemoryEngineError) as e:
            anonymous.search(user_id="py-frank", query="x")
        assert e.value.status == "UNAUTHENTICATED"
    with MemoryClient(service.address, api_key=key) as keyed:
        assert keyed.remember(user_id="py-frank", memory={"content": "Frank keeps bees"}).created
        with pytest.raises(MemoryEngineError) as e:
            keyed.search(user_id="py-gina", query="bees")
        assert e.value.status == "PERMISSION_DENIED"
