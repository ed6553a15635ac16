"""AsyncMemoryClient behaves as MemoryClient does (asyncio, grpc.aio)."""
from __future__ import annotations

import asyncio

import pytest

from memory_engine_client import AsyncMemoryClient, MemoryEngineError
from conftest import AVAILABLE

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="the memory-engine service is not available")


def test_async_client(service):
    async def main() -> None:
        async with AsyncMemoryClient(service.address) as memory:
            stored = await memory.remember(user_id="py-async", memory={"content": "Hana collects vinyl records"})
            assert stored.created
            hits = (await memory.search(user_id="py-async", query="vinyl records", top_k=2)).hits
            assert hits[0].memory.id == stored.id
            with pytest.raises(MemoryEngineError) as e:
                await memory.remember(user_id="py-async", memory={"content": "x", "colour": 1})
            assert e.value.field == "memory.colour"
            with pytest.raises(MemoryEngineError) as e:
                await memory.remember(user_id="py-async", memory={"content": "x", "importance": 2})
            assert e.value.field == "memory.importance"
            names = [c.section.name async for c in memory.stream_context(user_id="py-async", query="music", token_budget=300) if c.HasField("section")]
            assert "semantic" in names
            # Concurrent calls share one channel.
            results = await asyncio.gather(*(memory.search(user_id="py-async", query="records") for _ in range(8)))
            assert all(r.hits for r in results)

    asyncio.run(main())
