// ESLint flat config: recommended JS rules plus typescript-eslint's type-aware recommended set,
// and the architecture's boundaries (below) as import rules, so a violation fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative import that reaches into one of these folders of the repository. */
const intoFolders = (...folders) => `^\\.{1,2}/(.*/)?(${folders.join('|')})(/|$)`;

/**
 * What each part of src/ may not import. Shipped code never imports the test kit (emulator,
 * demo, loopback guard), the tests or the benchmark. The engine and the reporting are pure:
 * no Azure SDK, no task-lib, no file system, nothing of the adapters or the front ends. The
 * options know no Azure and no pipeline. The adapters know no front end. The command line
 * and the task never import each other.
 */
const NODE_IO = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'http', 'node:http', 'https', 'node:https', 'net', 'node:net', 'child_process', 'node:child_process'];
const TASK_LIB = ['azure-pipelines-task-lib', 'azure-pipelines-task-lib/*', 'azure-pipelines-tasks-*', 'azure-pipelines-tasks-*/*'];
const AZURE_SDK = ['@azure/*'];
const NOT_SHIPPED = ['testkit', 'tests', 'bench'];

function boundary(files, { packages = [], folders = [], because }) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: packages.filter((p) => !p.includes('*')).map((name) => ({ name, message: because })),
          patterns: [
            ...(packages.some((p) => p.includes('*')) ? [{ group: packages.filter((p) => p.includes('*')), message: because }] : []),
            { regex: intoFolders(...NOT_SHIPPED, ...folders), message: because },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['build/**', 'out/**', 'dist/**', 'node_modules/**', 'tasks/**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  boundary(['src/**/*.ts'], { because: 'src/ is what ships: it never imports the test kit, the tests or the benchmark.' }),
  boundary(['src/reporting/**/*.ts'], {
    packages: [...NODE_IO, ...TASK_LIB, ...AZURE_SDK],
    folders: ['azure', 'task', 'cli', 'options'],
    because: 'the reporting is pure: it reads the engine\'s report and words nothing for a medium; no I/O, no Azure SDK, no task-lib (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/engine/**/*.ts'], {
    packages: [...NODE_IO, ...TASK_LIB, ...AZURE_SDK],
    folders: ['azure', 'task', 'cli', 'options', 'reporting'],
    because: 'the engine is pure: no I/O, no Azure SDK, no task-lib, nothing of the adapters, the options, the reporting or the front ends (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/options/**/*.ts'], {
    packages: [...TASK_LIB, ...AZURE_SDK],
    folders: ['azure', 'task', 'cli', 'reporting'],
    because: 'the options know no Azure SDK, no pipeline and no front end: the front ends hand them raw values (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/lifecycle/**/*.ts'], {
    packages: [...TASK_LIB, ...AZURE_SDK],
    folders: ['azure', 'task', 'cli', 'options', 'reporting'],
    because: 'how a run starts and stops is the same for both front ends and knows neither (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/azure/**/*.ts'], {
    packages: [...TASK_LIB],
    folders: ['task', 'cli', 'options', 'reporting'],
    because: 'the Azure adapters serve both front ends and know neither, nor their options (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/cli/**/*.ts'], {
    packages: [...TASK_LIB],
    folders: ['task'],
    because: 'the command line never imports the pipeline task or task-lib (docs/decisions/006-code-layout.md).',
  }),
  boundary(['src/task/**/*.ts'], {
    folders: ['cli'],
    because: 'the pipeline task never imports the command line (docs/decisions/006-code-layout.md).',
  }),
);
