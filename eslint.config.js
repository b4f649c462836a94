// ESLint for the whole monorepo (`npm run lint`, part of `npm test`). Rules: ESLint's and
// typescript-eslint's recommended sets, the type-aware rules that catch real bugs with promises
// (a promise nobody awaits or catches, a promise where a boolean or a void callback is expected,
// an await of something that is not a promise), React's rules of hooks in the admin UI, and a
// reason required on every eslint-disable comment (`-- why`).
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/.jobby/**',
      '**/generated/**',
      '**/*.generated.ts',
      '**/test-results/**',
      'tools/codegen/test-fixtures/**',
      'tools/bench/results/**',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      // `_name` marks a parameter or binding that is there on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it; the root's shared vitest
        // settings belong to none.
        projectService: { allowDefaultProject: ['vitest.shared.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      // `reject(signal.reason)` passes on what the aborting side chose (an Error or a DOMException).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The admin UI is type-checked with its own config (DOM, JSX, Vite), not the package's tsconfig.json.
    files: ['packages/admin/src/ui/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: false, project: ['packages/admin/tsconfig.ui.json'], tsconfigRootDir: import.meta.dirname } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
