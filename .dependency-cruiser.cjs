/**
 * The layer check (`npm run lint:layers`): no import cycles, and imports only go the way data
 * flows (README "Architecture"). A rule broken here is a design change: discuss it, then change
 * the rule and the README's map together.
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'engine-not-precompute', comment: 'precompute builds on the engine, not the other way round', severity: 'error', from: { path: '^src/engine/' }, to: { path: '^src/precompute/' } },
    { name: 'engine-not-server', comment: 'the engine knows no transport', severity: 'error', from: { path: '^src/engine/' }, to: { path: '^src/server/' } },
    { name: 'engine-not-context', comment: 'context assembly builds on the engine, not the other way round', severity: 'error', from: { path: '^src/engine/' }, to: { path: '^src/context/' } },
    {
      name: 'precompute-not-context',
      comment: 'context assembly reads precomputed artifacts; precompute knows nothing of it',
      severity: 'error',
      from: { path: '^src/precompute/' },
      to: { path: '^src/context/' },
    },
    { name: 'vector-not-cache', comment: 'stores know nothing of the caches above them', severity: 'error', from: { path: '^src/engine/vector/' }, to: { path: '^src/engine/cache/' } },
    { name: 'cache-not-vector', comment: 'caches hold values, they do not reach into stores', severity: 'error', from: { path: '^src/engine/cache/' }, to: { path: '^src/engine/vector/' } },
    { name: 'metadata-not-engine', comment: 'the metadata store is below the engine', severity: 'error', from: { path: '^src/metadata/' }, to: { path: '^src/engine/' } },
    { name: 'clusters-not-precompute', comment: 'clustering is a pure library that precompute uses', severity: 'error', from: { path: '^src/clusters/' }, to: { path: '^src/precompute/' } },
    {
      name: 'only-server-and-root-see-the-edge',
      comment: 'nothing but the entry points (composition root, CLI) depends on the gRPC edge',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(server/|cli/|app\\.ts|main\\.ts)' },
      to: { path: '^src/server/' },
    },
    { name: 'src-not-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
