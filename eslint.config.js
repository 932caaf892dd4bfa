import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import suara from './scripts/lint/module-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', '.secantus/', 'test-results/', 'scripts/bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['src/**/*.ts'], plugins: { suara }, rules: { 'suara/module-boundaries': 'error' } },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
