/** The part of stopword (stop-word lists for 60+ languages) the keyword analyzer uses; the package ships no types. */
declare module 'stopword' {
  /** Each language's list is a named export under its ISO 639-3 code (eng, deu, fra, …). */
  const lists: Record<string, string[] | undefined>;
  export = lists;
}
