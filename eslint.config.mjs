// ESLint for Parley's JavaScript: `make lint-js` checks assets/, scripts/ and tests/,
// `make fmt-js` fixes what can be fixed. A small rule set: one layout
// (two-space indent, as most of the JS was already written), and the
// mistakes a reader would not catch (an undefined or unused name).
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';

const rules = {
  '@stylistic/indent': ['error', 2],
  '@stylistic/indent-binary-ops': ['error', 2],
  '@stylistic/quotes': ['error', 'single',
    { avoidEscape: true, allowTemplateLiterals: 'always' }],
  '@stylistic/semi': ['error', 'always'],
  '@stylistic/no-trailing-spaces': 'error',
  '@stylistic/no-mixed-spaces-and-tabs': 'error',
  '@stylistic/eol-last': 'error',
  'no-undef': 'error',
  'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
};

export default [
  {
    files: ['**/*.js'],
    plugins: { '@stylistic': stylistic },
    languageOptions: { ecmaVersion: 2024 },
    rules,
  },
  // The widget and the comment counter: classic scripts on blogs' pages.
  {
    files: ['assets/embed.js', 'assets/count.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
  // The admin page: ES modules.
  {
    files: ['assets/admin*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  // Tests run in Node; the browser tests' page.evaluate() callbacks run
  // in the page.
  {
    files: ['tests/**/*.js', 'scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['tests/browser/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
