// Original file: proto/memory/v1/memory.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AssembleContextRequest__Input as _memory_v1_AssembleContextRequest__Input, AssembleContextRequest as _memory_v1_AssembleContextRequest } from '../../memory/v1/AssembleContextRequest';
import type { AssembleContextResponse__Input as _memory_v1_AssembleContextResponse__Input, AssembleContextResponse as _memory_v1_AssembleContextResponse } from '../../memory/v1/AssembleContextResponse';
import type { BackgroundJobsState__Input as _memory_v1_BackgroundJobsState__Input, BackgroundJobsState as _memory_v1_BackgroundJobsState } from '../../memory/v1/BackgroundJobsState';
import type { ContextChunk__Input as _memory_v1_ContextChunk__Input, ContextChunk as _memory_v1_ContextChunk } from '../../memory/v1/ContextChunk';
import type { CreateTaskRequest__Input as _memory_v1_CreateTaskRequest__Input, CreateTaskRequest as _memory_v1_CreateTaskRequest } from '../../memory/v1/CreateTaskRequest';
import type { ExportChunk__Input as _memory_v1_ExportChunk__Input, ExportChunk as _memory_v1_ExportChunk } from '../../memory/v1/ExportChunk';
import type { ExportUserRequest__Input as _memory_v1_ExportUserRequest__Input, ExportUserRequest as _memory_v1_ExportUserRequest } from '../../memory/v1/ExportUserRequest';
import type { ForgetRequest__Input as _memory_v1_ForgetRequest__Input, ForgetRequest as _memory_v1_ForgetRequest } from '../../memory/v1/ForgetRequest';
import type { ForgetResponse__Input as _memory_v1_ForgetResponse__Input, ForgetResponse as _memory_v1_ForgetResponse } from '../../memory/v1/ForgetResponse';
import type { ForgetUserReceipt__Input as _memory_v1_ForgetUserReceipt__Input, ForgetUserReceipt as _memory_v1_ForgetUserReceipt } from '../../memory/v1/ForgetUserReceipt';
import type { ForgetUserRequest__Input as _memory_v1_ForgetUserRequest__Input, ForgetUserRequest as _memory_v1_ForgetUserRequest } from '../../memory/v1/ForgetUserRequest';
import type { GetJobRequest__Input as _memory_v1_GetJobRequest__Input, GetJobRequest as _memory_v1_GetJobRequest } from '../../memory/v1/GetJobRequest';
import type { GetProfileRequest__Input as _memory_v1_GetProfileRequest__Input, GetProfileRequest as _memory_v1_GetProfileRequest } from '../../memory/v1/GetProfileRequest';
import type { GetRelatedRequest__Input as _memory_v1_GetRelatedRequest__Input, GetRelatedRequest as _memory_v1_GetRelatedRequest } from '../../memory/v1/GetRelatedRequest';
import type { GetRelatedResponse__Input as _memory_v1_GetRelatedResponse__Input, GetRelatedResponse as _memory_v1_GetRelatedResponse } from '../../memory/v1/GetRelatedResponse';
import type { GetRequest__Input as _memory_v1_GetRequest__Input, GetRequest as _memory_v1_GetRequest } from '../../memory/v1/GetRequest';
import type { GetSummaryRequest__Input as _memory_v1_GetSummaryRequest__Input, GetSummaryRequest as _memory_v1_GetSummaryRequest } from '../../memory/v1/GetSummaryRequest';
import type { GetTaskRequest__Input as _memory_v1_GetTaskRequest__Input, GetTaskRequest as _memory_v1_GetTaskRequest } from '../../memory/v1/GetTaskRequest';
import type { GetTopicRequest__Input as _memory_v1_GetTopicRequest__Input, GetTopicRequest as _memory_v1_GetTopicRequest } from '../../memory/v1/GetTopicRequest';
import type { ImportUserRequest__Input as _memory_v1_ImportUserRequest__Input, ImportUserRequest as _memory_v1_ImportUserRequest } from '../../memory/v1/ImportUserRequest';
import type { ImportUserResponse__Input as _memory_v1_ImportUserResponse__Input, ImportUserResponse as _memory_v1_ImportUserResponse } from '../../memory/v1/ImportUserResponse';
import type { Job__Input as _memory_v1_Job__Input, Job as _memory_v1_Job } from '../../memory/v1/Job';
import type { ListAuditEventsRequest__Input as _memory_v1_ListAuditEventsRequest__Input, ListAuditEventsRequest as _memory_v1_ListAuditEventsRequest } from '../../memory/v1/ListAuditEventsRequest';
import type { ListAuditEventsResponse__Input as _memory_v1_ListAuditEventsResponse__Input, ListAuditEventsResponse as _memory_v1_ListAuditEventsResponse } from '../../memory/v1/ListAuditEventsResponse';
import type { ListRequest__Input as _memory_v1_ListRequest__Input, ListRequest as _memory_v1_ListRequest } from '../../memory/v1/ListRequest';
import type { ListResponse__Input as _memory_v1_ListResponse__Input, ListResponse as _memory_v1_ListResponse } from '../../memory/v1/ListResponse';
import type { ListTasksRequest__Input as _memory_v1_ListTasksRequest__Input, ListTasksRequest as _memory_v1_ListTasksRequest } from '../../memory/v1/ListTasksRequest';
import type { ListTasksResponse__Input as _memory_v1_ListTasksResponse__Input, ListTasksResponse as _memory_v1_ListTasksResponse } from '../../memory/v1/ListTasksResponse';
import type { ListTopicsRequest__Input as _memory_v1_ListTopicsRequest__Input, ListTopicsRequest as _memory_v1_ListTopicsRequest } from '../../memory/v1/ListTopicsRequest';
import type { ListTopicsResponse__Input as _memory_v1_ListTopicsResponse__Input, ListTopicsResponse as _memory_v1_ListTopicsResponse } from '../../memory/v1/ListTopicsResponse';
import type { ListUsersRequest__Input as _memory_v1_ListUsersRequest__Input, ListUsersRequest as _memory_v1_ListUsersRequest } from '../../memory/v1/ListUsersRequest';
import type { ListUsersResponse__Input as _memory_v1_ListUsersResponse__Input, ListUsersResponse as _memory_v1_ListUsersResponse } from '../../memory/v1/ListUsersResponse';
import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';
import type { PauseBackgroundJobsRequest__Input as _memory_v1_PauseBackgroundJobsRequest__Input, PauseBackgroundJobsRequest as _memory_v1_PauseBackgroundJobsRequest } from '../../memory/v1/PauseBackgroundJobsRequest';
import type { Profile__Input as _memory_v1_Profile__Input, Profile as _memory_v1_Profile } from '../../memory/v1/Profile';
import type { RememberBatchRequest__Input as _memory_v1_RememberBatchRequest__Input, RememberBatchRequest as _memory_v1_RememberBatchRequest } from '../../memory/v1/RememberBatchRequest';
import type { RememberBatchResponse__Input as _memory_v1_RememberBatchResponse__Input, RememberBatchResponse as _memory_v1_RememberBatchResponse } from '../../memory/v1/RememberBatchResponse';
import type { RememberRequest__Input as _memory_v1_RememberRequest__Input, RememberRequest as _memory_v1_RememberRequest } from '../../memory/v1/RememberRequest';
import type { RememberResponse__Input as _memory_v1_RememberResponse__Input, RememberResponse as _memory_v1_RememberResponse } from '../../memory/v1/RememberResponse';
import type { RestoreRequest__Input as _memory_v1_RestoreRequest__Input, RestoreRequest as _memory_v1_RestoreRequest } from '../../memory/v1/RestoreRequest';
import type { RestoreResponse__Input as _memory_v1_RestoreResponse__Input, RestoreResponse as _memory_v1_RestoreResponse } from '../../memory/v1/RestoreResponse';
import type { SearchBatchRequest__Input as _memory_v1_SearchBatchRequest__Input, SearchBatchRequest as _memory_v1_SearchBatchRequest } from '../../memory/v1/SearchBatchRequest';
import type { SearchBatchResponse__Input as _memory_v1_SearchBatchResponse__Input, SearchBatchResponse as _memory_v1_SearchBatchResponse } from '../../memory/v1/SearchBatchResponse';
import type { SearchRequest__Input as _memory_v1_SearchRequest__Input, SearchRequest as _memory_v1_SearchRequest } from '../../memory/v1/SearchRequest';
import type { SearchResponse__Input as _memory_v1_SearchResponse__Input, SearchResponse as _memory_v1_SearchResponse } from '../../memory/v1/SearchResponse';
import type { Summary__Input as _memory_v1_Summary__Input, Summary as _memory_v1_Summary } from '../../memory/v1/Summary';
import type { Task__Input as _memory_v1_Task__Input, Task as _memory_v1_Task } from '../../memory/v1/Task';
import type { Topic__Input as _memory_v1_Topic__Input, Topic as _memory_v1_Topic } from '../../memory/v1/Topic';
import type { TriggerPrecomputeRequest__Input as _memory_v1_TriggerPrecomputeRequest__Input, TriggerPrecomputeRequest as _memory_v1_TriggerPrecomputeRequest } from '../../memory/v1/TriggerPrecomputeRequest';
import type { UpdateRequest__Input as _memory_v1_UpdateRequest__Input, UpdateRequest as _memory_v1_UpdateRequest } from '../../memory/v1/UpdateRequest';
import type { UpdateTaskStatusRequest__Input as _memory_v1_UpdateTaskStatusRequest__Input, UpdateTaskStatusRequest as _memory_v1_UpdateTaskStatusRequest } from '../../memory/v1/UpdateTaskStatusRequest';
import type { WarmSessionRequest__Input as _memory_v1_WarmSessionRequest__Input, WarmSessionRequest as _memory_v1_WarmSessionRequest } from '../../memory/v1/WarmSessionRequest';
import type { WarmSessionResponse__Input as _memory_v1_WarmSessionResponse__Input, WarmSessionResponse as _memory_v1_WarmSessionResponse } from '../../memory/v1/WarmSessionResponse';

export interface MemoryServiceClient extends grpc.Client {
  AssembleContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  AssembleContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  AssembleContext(argument: _memory_v1_AssembleContextRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  AssembleContext(argument: _memory_v1_AssembleContextRequest__Input, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  assembleContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  assembleContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  assembleContext(argument: _memory_v1_AssembleContextRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  assembleContext(argument: _memory_v1_AssembleContextRequest__Input, callback: grpc.requestCallback<_memory_v1_AssembleContextResponse>): grpc.ClientUnaryCall;
  
  CreateTask(argument: _memory_v1_CreateTaskRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  CreateTask(argument: _memory_v1_CreateTaskRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  CreateTask(argument: _memory_v1_CreateTaskRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  CreateTask(argument: _memory_v1_CreateTaskRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  createTask(argument: _memory_v1_CreateTaskRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  createTask(argument: _memory_v1_CreateTaskRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  createTask(argument: _memory_v1_CreateTaskRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  createTask(argument: _memory_v1_CreateTaskRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  
  ExportUser(argument: _memory_v1_ExportUserRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ExportChunk>;
  ExportUser(argument: _memory_v1_ExportUserRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ExportChunk>;
  exportUser(argument: _memory_v1_ExportUserRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ExportChunk>;
  exportUser(argument: _memory_v1_ExportUserRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ExportChunk>;
  
  Forget(argument: _memory_v1_ForgetRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  Forget(argument: _memory_v1_ForgetRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  Forget(argument: _memory_v1_ForgetRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  Forget(argument: _memory_v1_ForgetRequest__Input, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  forget(argument: _memory_v1_ForgetRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  forget(argument: _memory_v1_ForgetRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  forget(argument: _memory_v1_ForgetRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  forget(argument: _memory_v1_ForgetRequest__Input, callback: grpc.requestCallback<_memory_v1_ForgetResponse>): grpc.ClientUnaryCall;
  
  ForgetUser(argument: _memory_v1_ForgetUserRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  ForgetUser(argument: _memory_v1_ForgetUserRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  ForgetUser(argument: _memory_v1_ForgetUserRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  ForgetUser(argument: _memory_v1_ForgetUserRequest__Input, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  forgetUser(argument: _memory_v1_ForgetUserRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  forgetUser(argument: _memory_v1_ForgetUserRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  forgetUser(argument: _memory_v1_ForgetUserRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  forgetUser(argument: _memory_v1_ForgetUserRequest__Input, callback: grpc.requestCallback<_memory_v1_ForgetUserReceipt>): grpc.ClientUnaryCall;
  
  Get(argument: _memory_v1_GetRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Get(argument: _memory_v1_GetRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Get(argument: _memory_v1_GetRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Get(argument: _memory_v1_GetRequest__Input, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  get(argument: _memory_v1_GetRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  get(argument: _memory_v1_GetRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  get(argument: _memory_v1_GetRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  get(argument: _memory_v1_GetRequest__Input, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  
  GetJob(argument: _memory_v1_GetJobRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  GetJob(argument: _memory_v1_GetJobRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  GetJob(argument: _memory_v1_GetJobRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  GetJob(argument: _memory_v1_GetJobRequest__Input, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  getJob(argument: _memory_v1_GetJobRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  getJob(argument: _memory_v1_GetJobRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  getJob(argument: _memory_v1_GetJobRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  getJob(argument: _memory_v1_GetJobRequest__Input, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  
  GetProfile(argument: _memory_v1_GetProfileRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  GetProfile(argument: _memory_v1_GetProfileRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  GetProfile(argument: _memory_v1_GetProfileRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  GetProfile(argument: _memory_v1_GetProfileRequest__Input, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  getProfile(argument: _memory_v1_GetProfileRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  getProfile(argument: _memory_v1_GetProfileRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  getProfile(argument: _memory_v1_GetProfileRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  getProfile(argument: _memory_v1_GetProfileRequest__Input, callback: grpc.requestCallback<_memory_v1_Profile>): grpc.ClientUnaryCall;
  
  GetRelated(argument: _memory_v1_GetRelatedRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  GetRelated(argument: _memory_v1_GetRelatedRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  GetRelated(argument: _memory_v1_GetRelatedRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  GetRelated(argument: _memory_v1_GetRelatedRequest__Input, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  getRelated(argument: _memory_v1_GetRelatedRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  getRelated(argument: _memory_v1_GetRelatedRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  getRelated(argument: _memory_v1_GetRelatedRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  getRelated(argument: _memory_v1_GetRelatedRequest__Input, callback: grpc.requestCallback<_memory_v1_GetRelatedResponse>): grpc.ClientUnaryCall;
  
  GetSummary(argument: _memory_v1_GetSummaryRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  GetSummary(argument: _memory_v1_GetSummaryRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  GetSummary(argument: _memory_v1_GetSummaryRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  GetSummary(argument: _memory_v1_GetSummaryRequest__Input, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  getSummary(argument: _memory_v1_GetSummaryRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  getSummary(argument: _memory_v1_GetSummaryRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  getSummary(argument: _memory_v1_GetSummaryRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  getSummary(argument: _memory_v1_GetSummaryRequest__Input, callback: grpc.requestCallback<_memory_v1_Summary>): grpc.ClientUnaryCall;
  
  GetTask(argument: _memory_v1_GetTaskRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  GetTask(argument: _memory_v1_GetTaskRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  GetTask(argument: _memory_v1_GetTaskRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  GetTask(argument: _memory_v1_GetTaskRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  getTask(argument: _memory_v1_GetTaskRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  getTask(argument: _memory_v1_GetTaskRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  getTask(argument: _memory_v1_GetTaskRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  getTask(argument: _memory_v1_GetTaskRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  
  GetTopic(argument: _memory_v1_GetTopicRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  GetTopic(argument: _memory_v1_GetTopicRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  GetTopic(argument: _memory_v1_GetTopicRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  GetTopic(argument: _memory_v1_GetTopicRequest__Input, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  getTopic(argument: _memory_v1_GetTopicRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  getTopic(argument: _memory_v1_GetTopicRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  getTopic(argument: _memory_v1_GetTopicRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  getTopic(argument: _memory_v1_GetTopicRequest__Input, callback: grpc.requestCallback<_memory_v1_Topic>): grpc.ClientUnaryCall;
  
  ImportUser(argument: _memory_v1_ImportUserRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  ImportUser(argument: _memory_v1_ImportUserRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  ImportUser(argument: _memory_v1_ImportUserRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  ImportUser(argument: _memory_v1_ImportUserRequest__Input, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  importUser(argument: _memory_v1_ImportUserRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  importUser(argument: _memory_v1_ImportUserRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  importUser(argument: _memory_v1_ImportUserRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  importUser(argument: _memory_v1_ImportUserRequest__Input, callback: grpc.requestCallback<_memory_v1_ImportUserResponse>): grpc.ClientUnaryCall;
  
  List(argument: _memory_v1_ListRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  List(argument: _memory_v1_ListRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  List(argument: _memory_v1_ListRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  List(argument: _memory_v1_ListRequest__Input, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  list(argument: _memory_v1_ListRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  list(argument: _memory_v1_ListRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  list(argument: _memory_v1_ListRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  list(argument: _memory_v1_ListRequest__Input, callback: grpc.requestCallback<_memory_v1_ListResponse>): grpc.ClientUnaryCall;
  
  ListAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _memory_v1_ListAuditEventsRequest__Input, callback: grpc.requestCallback<_memory_v1_ListAuditEventsResponse>): grpc.ClientUnaryCall;
  
  ListTasks(argument: _memory_v1_ListTasksRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  ListTasks(argument: _memory_v1_ListTasksRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  ListTasks(argument: _memory_v1_ListTasksRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  ListTasks(argument: _memory_v1_ListTasksRequest__Input, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  listTasks(argument: _memory_v1_ListTasksRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  listTasks(argument: _memory_v1_ListTasksRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  listTasks(argument: _memory_v1_ListTasksRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  listTasks(argument: _memory_v1_ListTasksRequest__Input, callback: grpc.requestCallback<_memory_v1_ListTasksResponse>): grpc.ClientUnaryCall;
  
  ListTopics(argument: _memory_v1_ListTopicsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  ListTopics(argument: _memory_v1_ListTopicsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  ListTopics(argument: _memory_v1_ListTopicsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  ListTopics(argument: _memory_v1_ListTopicsRequest__Input, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  listTopics(argument: _memory_v1_ListTopicsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  listTopics(argument: _memory_v1_ListTopicsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  listTopics(argument: _memory_v1_ListTopicsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  listTopics(argument: _memory_v1_ListTopicsRequest__Input, callback: grpc.requestCallback<_memory_v1_ListTopicsResponse>): grpc.ClientUnaryCall;
  
  ListUsers(argument: _memory_v1_ListUsersRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  ListUsers(argument: _memory_v1_ListUsersRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  ListUsers(argument: _memory_v1_ListUsersRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  ListUsers(argument: _memory_v1_ListUsersRequest__Input, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  listUsers(argument: _memory_v1_ListUsersRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  listUsers(argument: _memory_v1_ListUsersRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  listUsers(argument: _memory_v1_ListUsersRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  listUsers(argument: _memory_v1_ListUsersRequest__Input, callback: grpc.requestCallback<_memory_v1_ListUsersResponse>): grpc.ClientUnaryCall;
  
  PauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  PauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  PauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  PauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  pauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  pauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  pauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  pauseBackgroundJobs(argument: _memory_v1_PauseBackgroundJobsRequest__Input, callback: grpc.requestCallback<_memory_v1_BackgroundJobsState>): grpc.ClientUnaryCall;
  
  Remember(argument: _memory_v1_RememberRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  Remember(argument: _memory_v1_RememberRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  Remember(argument: _memory_v1_RememberRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  Remember(argument: _memory_v1_RememberRequest__Input, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  remember(argument: _memory_v1_RememberRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  remember(argument: _memory_v1_RememberRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  remember(argument: _memory_v1_RememberRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  remember(argument: _memory_v1_RememberRequest__Input, callback: grpc.requestCallback<_memory_v1_RememberResponse>): grpc.ClientUnaryCall;
  
  RememberBatch(argument: _memory_v1_RememberBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  RememberBatch(argument: _memory_v1_RememberBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  RememberBatch(argument: _memory_v1_RememberBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  RememberBatch(argument: _memory_v1_RememberBatchRequest__Input, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  rememberBatch(argument: _memory_v1_RememberBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  rememberBatch(argument: _memory_v1_RememberBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  rememberBatch(argument: _memory_v1_RememberBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  rememberBatch(argument: _memory_v1_RememberBatchRequest__Input, callback: grpc.requestCallback<_memory_v1_RememberBatchResponse>): grpc.ClientUnaryCall;
  
  Restore(argument: _memory_v1_RestoreRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  Restore(argument: _memory_v1_RestoreRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  Restore(argument: _memory_v1_RestoreRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  Restore(argument: _memory_v1_RestoreRequest__Input, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  restore(argument: _memory_v1_RestoreRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  restore(argument: _memory_v1_RestoreRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  restore(argument: _memory_v1_RestoreRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  restore(argument: _memory_v1_RestoreRequest__Input, callback: grpc.requestCallback<_memory_v1_RestoreResponse>): grpc.ClientUnaryCall;
  
  Search(argument: _memory_v1_SearchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  Search(argument: _memory_v1_SearchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  Search(argument: _memory_v1_SearchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  Search(argument: _memory_v1_SearchRequest__Input, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  search(argument: _memory_v1_SearchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  search(argument: _memory_v1_SearchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  search(argument: _memory_v1_SearchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  search(argument: _memory_v1_SearchRequest__Input, callback: grpc.requestCallback<_memory_v1_SearchResponse>): grpc.ClientUnaryCall;
  
  SearchBatch(argument: _memory_v1_SearchBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  SearchBatch(argument: _memory_v1_SearchBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  SearchBatch(argument: _memory_v1_SearchBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  SearchBatch(argument: _memory_v1_SearchBatchRequest__Input, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  searchBatch(argument: _memory_v1_SearchBatchRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  searchBatch(argument: _memory_v1_SearchBatchRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  searchBatch(argument: _memory_v1_SearchBatchRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  searchBatch(argument: _memory_v1_SearchBatchRequest__Input, callback: grpc.requestCallback<_memory_v1_SearchBatchResponse>): grpc.ClientUnaryCall;
  
  StreamContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ContextChunk>;
  StreamContext(argument: _memory_v1_AssembleContextRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ContextChunk>;
  streamContext(argument: _memory_v1_AssembleContextRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ContextChunk>;
  streamContext(argument: _memory_v1_AssembleContextRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_memory_v1_ContextChunk>;
  
  TriggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  TriggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  TriggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  TriggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  triggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  triggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  triggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  triggerPrecompute(argument: _memory_v1_TriggerPrecomputeRequest__Input, callback: grpc.requestCallback<_memory_v1_Job>): grpc.ClientUnaryCall;
  
  Update(argument: _memory_v1_UpdateRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Update(argument: _memory_v1_UpdateRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Update(argument: _memory_v1_UpdateRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  Update(argument: _memory_v1_UpdateRequest__Input, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  update(argument: _memory_v1_UpdateRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  update(argument: _memory_v1_UpdateRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  update(argument: _memory_v1_UpdateRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  update(argument: _memory_v1_UpdateRequest__Input, callback: grpc.requestCallback<_memory_v1_Memory>): grpc.ClientUnaryCall;
  
  UpdateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _memory_v1_UpdateTaskStatusRequest__Input, callback: grpc.requestCallback<_memory_v1_Task>): grpc.ClientUnaryCall;
  
  WarmSession(argument: _memory_v1_WarmSessionRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  WarmSession(argument: _memory_v1_WarmSessionRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  WarmSession(argument: _memory_v1_WarmSessionRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  WarmSession(argument: _memory_v1_WarmSessionRequest__Input, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  warmSession(argument: _memory_v1_WarmSessionRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  warmSession(argument: _memory_v1_WarmSessionRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  warmSession(argument: _memory_v1_WarmSessionRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  warmSession(argument: _memory_v1_WarmSessionRequest__Input, callback: grpc.requestCallback<_memory_v1_WarmSessionResponse>): grpc.ClientUnaryCall;
  
}

export interface MemoryServiceHandlers extends grpc.UntypedServiceImplementation {
  AssembleContext: grpc.handleUnaryCall<_memory_v1_AssembleContextRequest, _memory_v1_AssembleContextResponse__Input>;
  
  CreateTask: grpc.handleUnaryCall<_memory_v1_CreateTaskRequest, _memory_v1_Task__Input>;
  
  ExportUser: grpc.handleServerStreamingCall<_memory_v1_ExportUserRequest, _memory_v1_ExportChunk__Input>;
  
  Forget: grpc.handleUnaryCall<_memory_v1_ForgetRequest, _memory_v1_ForgetResponse__Input>;
  
  ForgetUser: grpc.handleUnaryCall<_memory_v1_ForgetUserRequest, _memory_v1_ForgetUserReceipt__Input>;
  
  Get: grpc.handleUnaryCall<_memory_v1_GetRequest, _memory_v1_Memory__Input>;
  
  GetJob: grpc.handleUnaryCall<_memory_v1_GetJobRequest, _memory_v1_Job__Input>;
  
  GetProfile: grpc.handleUnaryCall<_memory_v1_GetProfileRequest, _memory_v1_Profile__Input>;
  
  GetRelated: grpc.handleUnaryCall<_memory_v1_GetRelatedRequest, _memory_v1_GetRelatedResponse__Input>;
  
  GetSummary: grpc.handleUnaryCall<_memory_v1_GetSummaryRequest, _memory_v1_Summary__Input>;
  
  GetTask: grpc.handleUnaryCall<_memory_v1_GetTaskRequest, _memory_v1_Task__Input>;
  
  GetTopic: grpc.handleUnaryCall<_memory_v1_GetTopicRequest, _memory_v1_Topic__Input>;
  
  ImportUser: grpc.handleUnaryCall<_memory_v1_ImportUserRequest, _memory_v1_ImportUserResponse__Input>;
  
  List: grpc.handleUnaryCall<_memory_v1_ListRequest, _memory_v1_ListResponse__Input>;
  
  ListAuditEvents: grpc.handleUnaryCall<_memory_v1_ListAuditEventsRequest, _memory_v1_ListAuditEventsResponse__Input>;
  
  ListTasks: grpc.handleUnaryCall<_memory_v1_ListTasksRequest, _memory_v1_ListTasksResponse__Input>;
  
  ListTopics: grpc.handleUnaryCall<_memory_v1_ListTopicsRequest, _memory_v1_ListTopicsResponse__Input>;
  
  ListUsers: grpc.handleUnaryCall<_memory_v1_ListUsersRequest, _memory_v1_ListUsersResponse__Input>;
  
  PauseBackgroundJobs: grpc.handleUnaryCall<_memory_v1_PauseBackgroundJobsRequest, _memory_v1_BackgroundJobsState__Input>;
  
  Remember: grpc.handleUnaryCall<_memory_v1_RememberRequest, _memory_v1_RememberResponse__Input>;
  
  RememberBatch: grpc.handleUnaryCall<_memory_v1_RememberBatchRequest, _memory_v1_RememberBatchResponse__Input>;
  
  Restore: grpc.handleUnaryCall<_memory_v1_RestoreRequest, _memory_v1_RestoreResponse__Input>;
  
  Search: grpc.handleUnaryCall<_memory_v1_SearchRequest, _memory_v1_SearchResponse__Input>;
  
  SearchBatch: grpc.handleUnaryCall<_memory_v1_SearchBatchRequest, _memory_v1_SearchBatchResponse__Input>;
  
  StreamContext: grpc.handleServerStreamingCall<_memory_v1_AssembleContextRequest, _memory_v1_ContextChunk__Input>;
  
  TriggerPrecompute: grpc.handleUnaryCall<_memory_v1_TriggerPrecomputeRequest, _memory_v1_Job__Input>;
  
  Update: grpc.handleUnaryCall<_memory_v1_UpdateRequest, _memory_v1_Memory__Input>;
  
  UpdateTaskStatus: grpc.handleUnaryCall<_memory_v1_UpdateTaskStatusRequest, _memory_v1_Task__Input>;
  
  WarmSession: grpc.handleUnaryCall<_memory_v1_WarmSessionRequest, _memory_v1_WarmSessionResponse__Input>;
  
}

export interface MemoryServiceDefinition extends grpc.ServiceDefinition {
  AssembleContext: MethodDefinition<_memory_v1_AssembleContextRequest__Input, _memory_v1_AssembleContextResponse__Input, _memory_v1_AssembleContextRequest, _memory_v1_AssembleContextResponse>
  CreateTask: MethodDefinition<_memory_v1_CreateTaskRequest__Input, _memory_v1_Task__Input, _memory_v1_CreateTaskRequest, _memory_v1_Task>
  ExportUser: MethodDefinition<_memory_v1_ExportUserRequest__Input, _memory_v1_ExportChunk__Input, _memory_v1_ExportUserRequest, _memory_v1_ExportChunk>
  Forget: MethodDefinition<_memory_v1_ForgetRequest__Input, _memory_v1_ForgetResponse__Input, _memory_v1_ForgetRequest, _memory_v1_ForgetResponse>
  ForgetUser: MethodDefinition<_memory_v1_ForgetUserRequest__Input, _memory_v1_ForgetUserReceipt__Input, _memory_v1_ForgetUserRequest, _memory_v1_ForgetUserReceipt>
  Get: MethodDefinition<_memory_v1_GetRequest__Input, _memory_v1_Memory__Input, _memory_v1_GetRequest, _memory_v1_Memory>
  GetJob: MethodDefinition<_memory_v1_GetJobRequest__Input, _memory_v1_Job__Input, _memory_v1_GetJobRequest, _memory_v1_Job>
  GetProfile: MethodDefinition<_memory_v1_GetProfileRequest__Input, _memory_v1_Profile__Input, _memory_v1_GetProfileRequest, _memory_v1_Profile>
  GetRelated: MethodDefinition<_memory_v1_GetRelatedRequest__Input, _memory_v1_GetRelatedResponse__Input, _memory_v1_GetRelatedRequest, _memory_v1_GetRelatedResponse>
  GetSummary: MethodDefinition<_memory_v1_GetSummaryRequest__Input, _memory_v1_Summary__Input, _memory_v1_GetSummaryRequest, _memory_v1_Summary>
  GetTask: MethodDefinition<_memory_v1_GetTaskRequest__Input, _memory_v1_Task__Input, _memory_v1_GetTaskRequest, _memory_v1_Task>
  GetTopic: MethodDefinition<_memory_v1_GetTopicRequest__Input, _memory_v1_Topic__Input, _memory_v1_GetTopicRequest, _memory_v1_Topic>
  ImportUser: MethodDefinition<_memory_v1_ImportUserRequest__Input, _memory_v1_ImportUserResponse__Input, _memory_v1_ImportUserRequest, _memory_v1_ImportUserResponse>
  List: MethodDefinition<_memory_v1_ListRequest__Input, _memory_v1_ListResponse__Input, _memory_v1_ListRequest, _memory_v1_ListResponse>
  ListAuditEvents: MethodDefinition<_memory_v1_ListAuditEventsRequest__Input, _memory_v1_ListAuditEventsResponse__Input, _memory_v1_ListAuditEventsRequest, _memory_v1_ListAuditEventsResponse>
  ListTasks: MethodDefinition<_memory_v1_ListTasksRequest__Input, _memory_v1_ListTasksResponse__Input, _memory_v1_ListTasksRequest, _memory_v1_ListTasksResponse>
  ListTopics: MethodDefinition<_memory_v1_ListTopicsRequest__Input, _memory_v1_ListTopicsResponse__Input, _memory_v1_ListTopicsRequest, _memory_v1_ListTopicsResponse>
  ListUsers: MethodDefinition<_memory_v1_ListUsersRequest__Input, _memory_v1_ListUsersResponse__Input, _memory_v1_ListUsersRequest, _memory_v1_ListUsersResponse>
  PauseBackgroundJobs: MethodDefinition<_memory_v1_PauseBackgroundJobsRequest__Input, _memory_v1_BackgroundJobsState__Input, _memory_v1_PauseBackgroundJobsRequest, _memory_v1_BackgroundJobsState>
  Remember: MethodDefinition<_memory_v1_RememberRequest__Input, _memory_v1_RememberResponse__Input, _memory_v1_RememberRequest, _memory_v1_RememberResponse>
  RememberBatch: MethodDefinition<_memory_v1_RememberBatchRequest__Input, _memory_v1_RememberBatchResponse__Input, _memory_v1_RememberBatchRequest, _memory_v1_RememberBatchResponse>
  Restore: MethodDefinition<_memory_v1_RestoreRequest__Input, _memory_v1_RestoreResponse__Input, _memory_v1_RestoreRequest, _memory_v1_RestoreResponse>
  Search: MethodDefinition<_memory_v1_SearchRequest__Input, _memory_v1_SearchResponse__Input, _memory_v1_SearchRequest, _memory_v1_SearchResponse>
  SearchBatch: MethodDefinition<_memory_v1_SearchBatchRequest__Input, _memory_v1_SearchBatchResponse__Input, _memory_v1_SearchBatchRequest, _memory_v1_SearchBatchResponse>
  StreamContext: MethodDefinition<_memory_v1_AssembleContextRequest__Input, _memory_v1_ContextChunk__Input, _memory_v1_AssembleContextRequest, _memory_v1_ContextChunk>
  TriggerPrecompute: MethodDefinition<_memory_v1_TriggerPrecomputeRequest__Input, _memory_v1_Job__Input, _memory_v1_TriggerPrecomputeRequest, _memory_v1_Job>
  Update: MethodDefinition<_memory_v1_UpdateRequest__Input, _memory_v1_Memory__Input, _memory_v1_UpdateRequest, _memory_v1_Memory>
  UpdateTaskStatus: MethodDefinition<_memory_v1_UpdateTaskStatusRequest__Input, _memory_v1_Task__Input, _memory_v1_UpdateTaskStatusRequest, _memory_v1_Task>
  WarmSession: MethodDefinition<_memory_v1_WarmSessionRequest__Input, _memory_v1_WarmSessionResponse__Input, _memory_v1_WarmSessionRequest, _memory_v1_WarmSessionResponse>
}
