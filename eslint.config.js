// @ts-check
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/node_modules/**', 'docs/api/**', 'docs/reports/**', 'docs/diagrams/**', '**/dist/**', '.tmp/**', '.lab/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are how log lines and messages are built here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An array spread into a call's arguments throws a RangeError past about 100,000 elements
      // (it crashed npm start's cutover scenario once): benchmarks/src/extremes.ts walks the list.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
          message: 'Math.max/min of a spread array throws past ~100k elements: use maxOf/minOf (benchmarks/src/extremes.ts) or a reduce.',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement',
          message: 'push/unshift/splice of a spread array throws past ~100k elements: use a for…of loop or concat.',
        },
        {
          selector: "CallExpression[callee.object.name='String'][callee.property.name=/^(fromCharCode|fromCodePoint)$/] > SpreadElement",
          message: 'String.fromCharCode of a spread array throws past ~100k elements: decode with TextDecoder.',
        },
      ],
    },
  },
  {
    // The guide's example clients, and the coverage preload: plain JavaScript run by node, no build step.
    files: ['docs/examples/*.mjs', 'scripts/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Dredd loads hooks as CommonJS scripts in its own process; they are plain JavaScript.
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-dynamic-delete': 'off' },
  },
);
