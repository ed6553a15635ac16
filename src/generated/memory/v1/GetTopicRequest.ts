// Original file: proto/memory/v1/memory.proto


export interface GetTopicRequest__Input {
  'userId'?: (string);
  'topicId'?: (string);
}

export interface GetTopicRequest {
  'userId': (string);
  'topicId': (string);
}
