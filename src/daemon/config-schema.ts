/**
 * The JSON schema of the daemon's config file (src/daemon/README.md documents each key). Every key is optional;
 * defaults come from DEFAULT_CONFIG in config.ts. Unknown keys are errors: a misspelt key silently ignored would
 * leave a lab believing a policy holds that does not.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    backupsDir: { type: 'string', minLength: 1 },
    backup: {
      type: 'object',
      additionalProperties: false,
      properties: {
        onAttach: {
          anyOf: [
            { type: 'string', enum: ['all', 'none'] },
            { type: 'array', items: { type: 'string', pattern: '^[0-9A-Fa-f-]{24,40}$' }, uniqueItems: true },
          ],
        },
        minIntervalHours: { type: 'number', minimum: 0 },
        full: { type: 'boolean' },
      },
    },
    extract: {
      type: 'object',
      additionalProperties: false,
      properties: {
        afterBackup: { type: 'boolean' },
        types: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        outDir: { type: 'string', minLength: 1 },
      },
    },
    concurrency: {
      type: 'object',
      additionalProperties: false,
      properties: { maxJobs: { type: 'integer', minimum: 1, maximum: 64 } },
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
        backoffSeconds: { type: 'number', minimum: 0 },
        maxBackoffSeconds: { type: 'number', minimum: 0 },
      },
    },
    trustWaitSeconds: { type: 'number', minimum: 1 },
    hooks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        command: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'array', items: { type: 'string' }, minItems: 1 },
          ],
        },
        url: { type: 'string', pattern: '^https?://' },
        on: {
          type: 'array',
          items: { type: 'string', enum: ['succeeded', 'failed', 'cancelled'] },
          uniqueItems: true,
        },
        timeoutSeconds: { type: 'number', minimum: 1 },
      },
    },
  },
} as const;
