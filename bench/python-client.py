"""Search through raw grpcio stubs vs memory_engine_client, interleaved blocks; prints JSON
summaries (ms) for bench/clients.ts. Run with the venv that .ci/run makes:
    python bench/python-client.py ADDRESS USER CALLS"""
import json
import sys
import time

import grpc
from memory_engine_client import MemoryClient
from memory_engine_client._generated import memory_pb2, memory_pb2_grpc

address, user, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
queries = [f"what does the user think about topic {i % 10} and item {i}?" for i in range(50)]
channel = grpc.insecure_channel(address)
stub = memory_pb2_grpc.MemoryServiceStub(channel)
client = MemoryClient(address)
contenders = {
    "raw grpcio": lambda i: stub.Search(memory_pb2.SearchRequest(user_id=user, query=queries[i % 50], top_k=10), timeout=10),
    "memory_engine_client": lambda i: client.search(user_id=user, query=queries[i % 50], top_k=10),
}
samples = {k: [] for k in contenders}
for fn in contenders.values():
    for i in range(300):
        fn(i)
for done in range(0, calls, 100):
    for name, fn in contenders.items():
        for i in range(done, done + 100):
            t = time.perf_counter()
            fn(i)
            samples[name].append((time.perf_counter() - t) * 1000)


def summary(xs):
    xs = sorted(xs)
    at = lambda q: round(xs[min(len(xs) - 1, int(q / 100 * len(xs)))], 3)
    return {"p50": at(50), "p95": at(95), "p99": at(99), "max": round(xs[-1], 3), "n": len(xs)}


print(json.dumps({k: summary(v) for k, v in samples.items()}))
