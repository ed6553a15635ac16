/**
 * The sections of an assembled context and their defaults: the one table of them. A section's
 * weight multiplies its memories' relevance (the Search ranking), so a memory found by several
 * sections lands in the one that weighs it most: a weight above 1 is the evidence a section adds
 * beyond similarity (this conversation, an entity or a time the turn names), below 1 a looser
 * link (standing profile facts, neighbours of a hit). The deadline share is the part of the
 * call's remaining time a section may take; the stage is when StreamContext may send it first.
 */
export const SECTION_NAMES = ['profile', 'session', 'semantic', 'topics', 'entities', 'temporal', 'related'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export type Stage = 1 | 2 | 3 | 4;
export const STAGES: readonly Stage[] = [1, 2, 3, 4];

export interface SectionSpec {
  /** Heading of the section in the context text. */
  title: string;
  weight: number;
  /** Share of the call's remaining time the section may take before it is dropped. */
  deadlineShare: number;
  /** The first StreamContext stage that may carry this section. */
  stage: Stage;
}

export const SECTION_SPECS: Readonly<Record<SectionName, SectionSpec>> = {
  profile: { title: 'About the user', weight: 0.9, deadlineShare: 0.5, stage: 1 },
  session: { title: 'This conversation so far', weight: 1.1, deadlineShare: 0.8, stage: 1 },
  semantic: { title: 'Relevant memories', weight: 1, deadlineShare: 0.8, stage: 2 },
  topics: { title: 'Topic', weight: 1.05, deadlineShare: 0.8, stage: 2 },
  entities: { title: 'About', weight: 1.15, deadlineShare: 0.8, stage: 3 },
  temporal: { title: 'Memories from', weight: 1.1, deadlineShare: 0.8, stage: 4 },
  related: { title: 'Related memories', weight: 0.9, deadlineShare: 0.9, stage: 4 },
};

/**
 * Where each StreamContext stage ends, in tokens sent so far (stage 4 runs to the budget): stage 1
 * is the cached profile and session (~300–500 tokens), stage 2 the top memories and active topics
 * (~800–1,200 more), stage 3 more memories and entities (~1,500–2,000 more).
 */
export const STAGE_TOKEN_ENDS: Readonly<Record<Exclude<Stage, 4>, number>> = { 1: 500, 2: 1700, 3: 3700 };

/**
 * Share of the budget the "load immediately" memories (pinned; important and recent; in an active
 * topic; from the last session) may take before anything else; beyond it they compete by score.
 */
export const IMMEDIATE_SHARE = 0.15;

/** Tokens of the shortest memory line (its date and a few words): how many memories a budget can hold at most. */
export const TOKENS_PER_MEMORY_LINE = 25;

/** Why a section asked for is not in the context (MissingSection.reason). */
/** `covered`: every memory of the section ranks higher in another one and is shown there. */
export const MISSING_REASONS = ['deadline', 'unavailable', 'error', 'not_ready', 'empty', 'covered', 'budget'] as const;
export type MissingReason = (typeof MISSING_REASONS)[number];
