/**
 * The import rules `npm run lint` checks (dependency-cruiser). TypeScript 7
 * has no JavaScript API yet, so sources are read with swc.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment:
        'No import cycle anywhere in src/ (type-only imports are erased at run time and do not count).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
