"""Server reflection read by an implementation independent of the service's: grpcio-reflection
fills a protobuf descriptor pool (upb), which validates each file as it is added; every method's
request and response types must resolve, map fields as maps."""
from __future__ import annotations

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from conftest import AVAILABLE

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="the memory-engine service is not available")


def test_every_method_resolves_over_reflection(service):
    with grpc.insecure_channel(service.address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert set(database.get_services()) >= {"memory.v1.MemoryService", "grpc.health.v1.Health"}
        pool = DescriptorPool(database)
        memory_service = pool.FindServiceByName("memory.v1.MemoryService")
        assert len(memory_service.methods) > 25
        for method in memory_service.methods:
            assert method.input_type.full_name.startswith("memory.v1.")
            assert method.output_type.full_name.startswith("memory.v1.")
        metadata = pool.FindMessageTypeByName("memory.v1.Memory").fields_by_name["metadata"]
        assert metadata.message_type.GetOptions().map_entry
        assert metadata.message_type.name == "MetadataEntry"
        pool.FindServiceByName("grpc.health.v1.Health")
