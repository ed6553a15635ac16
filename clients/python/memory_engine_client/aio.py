"""AsyncMemoryClient: the asyncio twin of MemoryClient (grpc.aio), with the same methods,
deadlines, retries and errors; streams are async iterators."""
from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Optional, Sequence, Tuple, Union

import grpc
import grpc.aio

from .client import _Methods, channel_credentials, request_type
from .errors import MemoryEngineError
from .requests import build_request
from .retry import RetryPolicy, is_idempotent, is_retryable


class AsyncMemoryClient(_Methods):
    """Use as an async context manager, or await close()."""

    def __init__(
        self,
        address: str,
        *,
        api_key: Optional[str] = None,
        tls: Union[bool, grpc.ChannelCredentials, None] = None,
        timeout: float = 10.0,
        retry: Optional[RetryPolicy] = RetryPolicy(),
        actor_id: Optional[str] = None,
        options: Sequence[Tuple[str, Any]] = (),
    ) -> None:
        credentials = channel_credentials(tls)
        channel = grpc.aio.secure_channel(address, credentials, options) if credentials else grpc.aio.insecure_channel(address, options)
        self._setup(channel, timeout, retry, api_key, actor_id)

    async def call(self, method: str, request: Any = None, *, timeout: Optional[float] = None, **fields: Any) -> Any:
        message = build_request(method, request_type(method), request, fields)
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        attempts = self._retry.max_attempts if is_idempotent(method, message) else 1
        fn = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return await fn(message, timeout=max(0.0, deadline - time.monotonic()), metadata=self._metadata)
            except grpc.RpcError as e:
                err = MemoryEngineError.from_rpc_error(method, e)
                wait = self._retry.backoff(attempt)
                if attempt >= attempts or not is_retryable(err.code) or time.monotonic() + wait >= deadline:
                    raise err from None
                await asyncio.sleep(wait)
                attempt += 1

    async def stream(self, method: str, request: Any = None, *, timeout: Optional[float] = None, **fields: Any) -> AsyncIterator[Any]:
        message = build_request(method, request_type(method), request, fields)
        responses = getattr(self._stub, method)(message, timeout=self._timeout if timeout is None else timeout, metadata=self._metadata)
        try:
            async for response in responses:
                yield response
        except grpc.RpcError as e:
            raise MemoryEngineError.from_rpc_error(method, e) from None
        finally:
            responses.cancel()

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> "AsyncMemoryClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
