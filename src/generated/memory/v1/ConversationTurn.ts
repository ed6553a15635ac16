// Original file: proto/memory/v1/memory.proto


export interface ConversationTurn__Input {
  'role'?: (string);
  'content'?: (string);
}

export interface ConversationTurn {
  'role': (string);
  'content': (string);
}
