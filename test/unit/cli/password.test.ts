import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readPassword } from '../../../src/cli/password.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';

const prompt = { prompt: 'Backup password: ' };

describe('backup password sources', () => {
  afterEach(() => {
    delete process.env.IOSRESCUE_TEST_PW;
  });

  it('reads the named environment variable', async () => {
    process.env.IOSRESCUE_TEST_PW = 'sw0rdfish with spaces';
    expect(await readPassword({ passwordEnv: 'IOSRESCUE_TEST_PW' }, prompt)).toBe('sw0rdfish with spaces');
  });

  it('refuses an unset or empty variable with CLI_PASSWORD_REQUIRED, naming the variable but not echoing a value', async () => {
    await expect(readPassword({ passwordEnv: 'IOSRESCUE_TEST_PW' }, prompt)).rejects.toMatchObject({
      code: 'CLI_PASSWORD_REQUIRED',
      message: expect.stringContaining('IOSRESCUE_TEST_PW'),
    });
    process.env.IOSRESCUE_TEST_PW = '';
    await expect(readPassword({ passwordEnv: 'IOSRESCUE_TEST_PW' }, prompt)).rejects.toMatchObject({
      code: 'CLI_PASSWORD_REQUIRED',
    });
  });

  it('takes the first line of a password file, without its newline (LF or CRLF)', async () => {
    await withTempDir('iosrescue-pw-', async (dir) => {
      await writeFile(join(dir, 'lf'), 'first line\nsecond line\n');
      await writeFile(join(dir, 'crlf'), 'windows\r\n');
      await writeFile(join(dir, 'bare'), '0000');
      await writeFile(join(dir, 'empty'), '\n');
      expect(await readPassword({ passwordFile: join(dir, 'lf') }, prompt)).toBe('first line');
      expect(await readPassword({ passwordFile: join(dir, 'crlf') }, prompt)).toBe('windows');
      expect(await readPassword({ passwordFile: join(dir, 'bare') }, prompt)).toBe('0000');
      await expect(readPassword({ passwordFile: join(dir, 'empty') }, prompt)).rejects.toMatchObject({
        code: 'CLI_PASSWORD_REQUIRED',
      });
      await expect(readPassword({ passwordFile: join(dir, 'missing') }, prompt)).rejects.toMatchObject({
        code: 'CLI_PASSWORD_REQUIRED',
      });
    });
  });

  it('does not prompt when stdin is not a terminal: CLI_PASSWORD_REQUIRED tells how to pass one', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    await expect(readPassword({}, { ...prompt, input })).rejects.toMatchObject({
      code: 'CLI_PASSWORD_REQUIRED',
      message: expect.stringContaining('--password-env'),
    });
  });
});
