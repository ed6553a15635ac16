"""memory-engine's Python client: MemoryClient (blocking) and AsyncMemoryClient (asyncio).

    from memory_engine_client import MemoryClient
    with MemoryClient("127.0.0.1:50051") as memory:
        memory.remember(user_id="u1", memory={"content": "Alice is allergic to peanuts"})
        hits = memory.search(user_id="u1", query="food allergies?", top_k=3).hits
"""
from ._generated import memory_pb2 as messages
from .aio import AsyncMemoryClient
from .client import MemoryClient
from .errors import MemoryEngineError
from .retry import RetryPolicy

__all__ = ["MemoryClient", "AsyncMemoryClient", "MemoryEngineError", "RetryPolicy", "messages"]
__version__ = "0.1.0"
