// ESLint for the TypeScript, as the JupyterLab extension template configures it
// (typescript-eslint's recommended rules, formatting left to Prettier). Run: jlpm eslint:check
import js from '@eslint/js';
import prettierConfig from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.venv/',
      'lib/',
      'lib-node/',
      'coverage/',
      'bench/out/',
      'jupyterlab_vmprof/',
      'ui-tests/test-results/',
      'ui-tests/artifacts/',
      '**/*.d.ts',
      '**/*.js',
      '**/*.mjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettierConfig,
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: { ...globals.browser, ...globals.node, ...globals.jest }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }
      ],
      // `const { omitted: _x, ...rest } = o` drops a key on purpose.
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      // `x == null` (null or undefined) is the one loose comparison the code uses.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // Playwright's fixtures are destructured: `async ({}, testInfo) => ...` asks for none.
    files: ['ui-tests/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' }
  }
);
