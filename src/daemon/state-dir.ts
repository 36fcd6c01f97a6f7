import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DaemonError } from './errors.js';

/**
 * Where the daemon keeps its database, socket, token and (by default) backups: `$IOSRESCUE_STATE_DIR`; under systemd
 * the unit's StateDirectory (`$STATE_DIRECTORY`); `/var/lib/iosrescue` when run as root; else `$XDG_STATE_HOME/iosrescue`,
 * else `~/.local/state/iosrescue` (the XDG Base Directory spec's state folder); macOS `~/Library/Application
 * Support/iosrescue/daemon`, Windows `%LOCALAPPDATA%\iosrescue\daemon`.
 */
export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = process.getuid?.(),
): string {
  if (env.IOSRESCUE_STATE_DIR) return env.IOSRESCUE_STATE_DIR;
  // systemd sets STATE_DIRECTORY to the StateDirectory= folder(s) of the unit, colon-separated (systemd.exec(5)).
  if (env.STATE_DIRECTORY) return env.STATE_DIRECTORY.split(':')[0]!;
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'iosrescue', 'daemon');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'iosrescue', 'daemon');
  if (uid === 0) return '/var/lib/iosrescue';
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'iosrescue');
}

/**
 * Makes the state folder owner-only (0700): it holds the API token, the socket and job history naming phones.
 * A folder that exists with wider permissions is narrowed; one owned by someone else is refused.
 */
export async function prepareStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (process.platform === 'win32') return;
    const info = await stat(dir);
    if (!info.isDirectory()) throw new DaemonError('DAEMON_STATE_DIR', `${dir} is not a folder`);
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid)
      throw new DaemonError('DAEMON_STATE_DIR', `${dir} belongs to another user (uid ${info.uid})`);
    if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  } catch (error) {
    if (error instanceof DaemonError) throw error;
    throw new DaemonError('DAEMON_STATE_DIR', `cannot use ${dir} as the state folder: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * One daemon per state folder: `daemon.pid` is created exclusively; a file left by a daemon that died (kill -9,
 * reboot) names a process that no longer runs and is taken over. Returns the release function.
 */
export function lockStateDir(dir: string): () => void {
  const path = join(dir, 'daemon.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
        throw new DaemonError('DAEMON_ALREADY_RUNNING', `a daemon (pid ${pid}) already uses ${dir}`, {
          details: { pid, stateDir: dir },
        });
      unlinkSync(path);
    }
  }
  throw new DaemonError('DAEMON_ALREADY_RUNNING', `another daemon is starting in ${dir}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
