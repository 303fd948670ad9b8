// @ts-check
import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

// Every regex may meet attacker input (headers, tokens, claims, cookies, URLs, fetched metadata):
// it must run in linear time. These three find quantifiers that backtrack over one another, a
// search that rescans the same run from each start, and alternatives that match the same text.
const linearRegexes = {
  'regexp/no-super-linear-backtracking': 'error',
  'regexp/no-super-linear-move': 'error',
  'regexp/no-dupe-disjunctions': 'error',
};

// The rest of the plugin's recommended set that finds mistakes (a regex that cannot match what it
// says, a useless assertion, an obscure range); left out are the autofixable rules that only
// respell a working regex (prefer-w, use-ignore-case, sort-flags...), since the RFC character
// sets read better as the RFCs write them.
const regexMistakes = Object.fromEntries(
  Object.entries(regexp.configs.recommended.rules).filter(([name]) => {
    const rule = name.startsWith('regexp/') ? regexp.rules[name.slice('regexp/'.length)] : undefined;
    return rule !== undefined && (rule.meta?.type === 'problem' || !rule.meta?.fixable);
  }),
);

// What an adapter may import: the core's two public entry points, never jose or the core's files.
const adapterImports = {
  paths: [{ name: 'jose', message: 'Only @jwt-gate/core may use jose.' }],
  patterns: [
    { group: ['jose/*'], message: 'Only @jwt-gate/core may use jose.' },
    { group: ['@jwt-gate/core/*', '!@jwt-gate/core/adapter'], message: 'Import only @jwt-gate/core and @jwt-gate/core/adapter.' },
    { group: ['**/core/src/**', '../core/**', '../../core/**'], message: 'Import only @jwt-gate/core and @jwt-gate/core/adapter.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.build/**', '**/node_modules/**', '**/coverage/**', 'docs/api/**', '.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Export names explicitly: every export is a promise to users.' }],
    },
  },
  {
    // The core runs on Workers and Deno too: no `node:` imports, no environment reads.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/core/src/**/*.test-d.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The core must run on Web-standard runtimes; reach Node-only speed-ups through a guarded runtime check.' }] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'The core reads no environment: configuration is explicit.' }],
    },
  },
  {
    // Adapters read, call, attach and translate; everything else is the core's job. They import
    // the core's two public entry points only: the main one and the adapter kit.
    files: ['packages/express/src/**/*.ts', 'packages/koa/src/**/*.ts', 'packages/hono/src/**/*.ts', 'packages/fastify/src/**/*.ts', 'packages/fetch/src/**/*.ts', 'packages/mcp/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts'],
    rules: { 'no-restricted-imports': ['error', adapterImports] },
  },
  {
    // The Fetch adapter runs on Bun, Deno, Workers and edge runtimes: no `node:` module either.
    files: ['packages/fetch/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { ...adapterImports, patterns: [...adapterImports.patterns, { group: ['node:*'], message: 'The Fetch adapter must run on Web-standard runtimes.' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { regexp },
    rules: linearRegexes,
  },
  {
    // Tests keep the linear-time rules only: their odd regexes are mostly fixtures of the
    // claimMatches checker and the attack catalogue.
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts', '**/test/**'],
    rules: { ...regexMistakes, ...linearRegexes },
  },
);
