// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      // a lib is used through its index.ts only; dependency-cruiser enforces the same across folders
      'no-restricted-imports': ['error', { patterns: [{ group: ['@capflow/*/*', '!@capflow/*/testing'], message: 'import a lib through its index: @capflow/<lib>' }] }],
    },
  },
  {
    // Ledger rules are pure: no framework, no I/O.
    files: ['libs/ledger/**/*.ts', 'libs/contracts/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@capflow/*/*', '!@capflow/*/testing'], message: 'import a lib through its index: @capflow/<lib>' },
            { group: ['@nestjs/*', 'nest-commander'], message: 'ledger and contracts know nothing of NestJS' },
            {
              group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'child_process', 'node:child_process', 'pg', 'better-sqlite3', 'kafkajs'],
              message: 'ledger and contracts do no I/O',
            },
          ],
        },
      ],
    },
  },
);
