"""MemoryClient: every RPC of memory.v1.MemoryService as a method named in snake_case
(remember, search, assemble_context, …), taking the generated request message or keyword
arguments and returning the generated response message. Each call has a deadline; calls safe to
repeat are retried on UNAVAILABLE within it; every failure is a MemoryEngineError."""
from __future__ import annotations

import re
import time
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import grpc

from ._generated import memory_pb2, memory_pb2_grpc
from .errors import MemoryEngineError
from .requests import build_request
from .retry import NO_RETRIES, RetryPolicy, is_idempotent, is_retryable

SERVICE = memory_pb2.DESCRIPTOR.services_by_name["MemoryService"]
STREAMING = {m.name for m in SERVICE.methods if m.server_streaming}


def python_name(method: str) -> str:
    """Remember → remember, AssembleContext → assemble_context."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


def request_type(method: str) -> type:
    return getattr(memory_pb2, SERVICE.methods_by_name[method].input_type.name)


def channel_credentials(tls: Union[bool, grpc.ChannelCredentials, None]) -> Optional[grpc.ChannelCredentials]:
    if tls is True:
        return grpc.ssl_channel_credentials()
    if isinstance(tls, grpc.ChannelCredentials):
        return tls
    return None


def call_metadata(api_key: Optional[str], actor_id: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    md = []
    if api_key:
        md.append(("authorization", f"Bearer {api_key}"))
    if actor_id:
        md.append(("x-actor-id", actor_id))
    return tuple(md)


class _Methods:
    """Adds one method per RPC, named in snake_case, that forwards to call() or stream(); holds
    what the blocking and the asyncio client share: the channel's stub and the call settings."""

    def _setup(self, channel: Any, timeout: float, retry: Optional[RetryPolicy], api_key: Optional[str], actor_id: Optional[str]) -> None:
        self._channel = channel
        self._stub = memory_pb2_grpc.MemoryServiceStub(channel)
        self._timeout = timeout
        self._retry = retry or NO_RETRIES
        self._metadata = call_metadata(api_key, actor_id)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for m in SERVICE.methods:
            name = python_name(m.name)
            if name in cls.__dict__:
                continue
            rpc = m.name
            if rpc in STREAMING:
                setattr(cls, name, lambda self, request=None, *, timeout=None, _rpc=rpc, **fields: self.stream(_rpc, request, timeout=timeout, **fields))
            else:
                setattr(cls, name, lambda self, request=None, *, timeout=None, _rpc=rpc, **fields: self.call(_rpc, request, timeout=timeout, **fields))
            getattr(cls, name).__doc__ = f"memory.v1.MemoryService/{rpc}"


class MemoryClient(_Methods):
    """The blocking client. Use as a context manager, or call close()."""

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
        channel = grpc.secure_channel(address, credentials, options) if credentials else grpc.insecure_channel(address, options)
        self._setup(channel, timeout, retry, api_key, actor_id)

    def call(self, method: str, request: Any = None, *, timeout: Optional[float] = None, **fields: Any) -> Any:
        """Any unary RPC by its proto name."""
        message = build_request(method, request_type(method), request, fields)
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        attempts = self._retry.max_attempts if is_idempotent(method, message) else 1
        fn = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return fn(message, timeout=max(0.0, deadline - time.monotonic()), metadata=self._metadata)
            except grpc.RpcError as e:
                err = MemoryEngineError.from_rpc_error(method, e)
                wait = self._retry.backoff(attempt)
                if attempt >= attempts or not is_retryable(err.code) or time.monotonic() + wait >= deadline:
                    raise err from None
                time.sleep(wait)
                attempt += 1

    def stream(self, method: str, request: Any = None, *, timeout: Optional[float] = None, **fields: Any) -> Iterator[Any]:
        """A server-streaming RPC (StreamContext, ExportUser) as an iterator; closing it cancels the call."""
        message = build_request(method, request_type(method), request, fields)
        responses = getattr(self._stub, method)(message, timeout=self._timeout if timeout is None else timeout, metadata=self._metadata)
        try:
            for response in responses:
                yield response
        except grpc.RpcError as e:
            raise MemoryEngineError.from_rpc_error(method, e) from None
        finally:
            responses.cancel()

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "MemoryClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
