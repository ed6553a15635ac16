import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { MemoryServiceClient as _memory_v1_MemoryServiceClient, MemoryServiceDefinition as _memory_v1_MemoryServiceDefinition } from './memory/v1/MemoryService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  memory: {
    v1: {
      AssembleContextRequest: MessageTypeDefinition
      AssembleContextResponse: MessageTypeDefinition
      AuditEvent: MessageTypeDefinition
      BackgroundJobsState: MessageTypeDefinition
      ContextChunk: MessageTypeDefinition
      ContextSection: MessageTypeDefinition
      ConversationTurn: MessageTypeDefinition
      CreateTaskRequest: MessageTypeDefinition
      EntityCount: MessageTypeDefinition
      ExportChunk: MessageTypeDefinition
      ExportUserRequest: MessageTypeDefinition
      Filter: MessageTypeDefinition
      ForgetRequest: MessageTypeDefinition
      ForgetResponse: MessageTypeDefinition
      ForgetUserReceipt: MessageTypeDefinition
      ForgetUserRequest: MessageTypeDefinition
      GetJobRequest: MessageTypeDefinition
      GetProfileRequest: MessageTypeDefinition
      GetRelatedRequest: MessageTypeDefinition
      GetRelatedResponse: MessageTypeDefinition
      GetRequest: MessageTypeDefinition
      GetSummaryRequest: MessageTypeDefinition
      GetTaskRequest: MessageTypeDefinition
      GetTopicRequest: MessageTypeDefinition
      ImportUserRequest: MessageTypeDefinition
      ImportUserResponse: MessageTypeDefinition
      Job: MessageTypeDefinition
      ListAuditEventsRequest: MessageTypeDefinition
      ListAuditEventsResponse: MessageTypeDefinition
      ListRequest: MessageTypeDefinition
      ListResponse: MessageTypeDefinition
      ListTasksRequest: MessageTypeDefinition
      ListTasksResponse: MessageTypeDefinition
      ListTopicsRequest: MessageTypeDefinition
      ListTopicsResponse: MessageTypeDefinition
      ListUsersRequest: MessageTypeDefinition
      ListUsersResponse: MessageTypeDefinition
      Memory: MessageTypeDefinition
      MemoryInput: MessageTypeDefinition
      MemoryService: SubtypeConstructor<typeof grpc.Client, _memory_v1_MemoryServiceClient> & { service: _memory_v1_MemoryServiceDefinition }
      MissingSection: MessageTypeDefinition
      PauseBackgroundJobsRequest: MessageTypeDefinition
      Profile: MessageTypeDefinition
      QueryClass: EnumTypeDefinition
      RankingWeights: MessageTypeDefinition
      RememberBatchRequest: MessageTypeDefinition
      RememberBatchResponse: MessageTypeDefinition
      RememberRequest: MessageTypeDefinition
      RememberResponse: MessageTypeDefinition
      RestoreRequest: MessageTypeDefinition
      RestoreResponse: MessageTypeDefinition
      Scope: EnumTypeDefinition
      SearchBatchRequest: MessageTypeDefinition
      SearchBatchResponse: MessageTypeDefinition
      SearchHit: MessageTypeDefinition
      SearchMode: EnumTypeDefinition
      SearchRequest: MessageTypeDefinition
      SearchResponse: MessageTypeDefinition
      SectionRequest: MessageTypeDefinition
      Summary: MessageTypeDefinition
      Task: MessageTypeDefinition
      TaskStatus: EnumTypeDefinition
      Tier: EnumTypeDefinition
      Topic: MessageTypeDefinition
      TopicRef: MessageTypeDefinition
      TriggerPrecomputeRequest: MessageTypeDefinition
      UpdateRequest: MessageTypeDefinition
      UpdateTaskStatusRequest: MessageTypeDefinition
      WarmSessionRequest: MessageTypeDefinition
      WarmSessionResponse: MessageTypeDefinition
    }
  }
}

