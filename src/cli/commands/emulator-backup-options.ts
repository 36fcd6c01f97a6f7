import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  folderContent,
  generatedContent,
  iosVersionProfile,
  parseByteCount,
  parseGeneratedSpec,
  parseIosVersion,
  sampleContent,
  type BackupAgentConfig,
  type BackupFaults,
  type IdentityOverrides,
} from '../../operations/index.js';
import { CliUsageError } from '../run-command.js';

export interface EmulatorBackupFlags {
  content: string;
  failAfterBytes?: string;
  deviceError?: string;
  stall?: string;
  passcode?: string;
  needExtraSpace?: string;
  oversizeFile?: string;
  busyLock?: string;
  keybagRounds?: string;
  media?: string;
  afcDropAfterBytes?: string;
}

/** The emulator's backup options: what the phones hold and how they misbehave. */
export function addEmulatorBackupOptions(command: Command): Command {
  return command
    .option(
      '--content <source>',
      'what the phones back up: "sample" (the built-in demo phone), sample:ios=N (the demo phone in iOS N\'s schemas, reporting iOS N; 4–18), a plain backup folder, or generated:files=N,bytes=SIZE[,large=L][,seed=S] (one file in L is large)',
      'sample',
    )
    .option(
      '--fail-after-bytes <N>',
      'fault: drop the connection (a pulled cable) after N bytes of file data in each backup',
    )
    .option(
      '--device-error <CODE[:TEXT]>',
      'fault: end each backup with this mobilebackup2 error, e.g. 105 or "212:Unable to backup until Setup is finished"',
    )
    .option('--stall <when>', 'fault: stop talking "before-first-message" or "mid-upload" without closing')
    .option(
      '--passcode <SECONDS|never>',
      'the phone asks for its passcode before each backup (iOS 16.1+); the owner types it after SECONDS, or never (208 after 3 min)',
    )
    .option(
      '--need-extra-space <SIZE>',
      'fault: claim each backup needs SIZE more bytes than it does (tests the 105 "not enough space" answer)',
    )
    .option(
      '--oversize-file <BYTES>',
      'fault: send the first file of each backup BYTES (e.g. 300M) longer than its Manifest.db row says (a phone sending more than it declared)',
    )
    .option('--busy-lock <N>', 'fault: answer the first N sync-lock requests with "busy"')
    .option(
      '--media <DIR>',
      "serve this folder, read-only, as every phone's media partition over AFC (DCIM/…, Recordings/…), instead of the content's photos",
    )
    .option(
      '--afc-drop-after-bytes <N>',
      'fault: once N bytes of file data went out over AFC, the connection sending drops (a pulled cable; tests a resumed media pull)',
    )
    .option(
      '--keybag-rounds <N>',
      'PBKDF2 rounds of keybags made by "encryption on" (a phone uses 10,000,000; lower is faster for tests)',
    );
}

function wholeNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new CliUsageError(`${flag} wants a whole number ≥ 0 (got "${text}")`);
  return value;
}

/** Turns the flags into the emulator's backup configuration; a bad value is a usage error naming the flag. */
export function emulatorBackupConfig(flags: EmulatorBackupFlags): Partial<BackupAgentConfig> {
  const faults: BackupFaults = {};
  if (flags.failAfterBytes !== undefined)
    faults.failAfterBytes = wholeNumber(flags.failAfterBytes, '--fail-after-bytes');
  if (flags.deviceError !== undefined) {
    const [code = '', ...text] = flags.deviceError.split(':');
    faults.errorCode = { code: wholeNumber(code, '--device-error'), description: text.join(':') || `Error ${code}` };
  }
  if (flags.stall !== undefined) {
    if (flags.stall !== 'before-first-message' && flags.stall !== 'mid-upload')
      throw new CliUsageError('--stall is before-first-message or mid-upload');
    faults.stall = flags.stall;
  }
  if (flags.passcode !== undefined)
    faults.passcode =
      flags.passcode === 'never' ? {} : { enterAfterMs: wholeNumber(flags.passcode, '--passcode') * 1000 };
  try {
    if (flags.needExtraSpace !== undefined) faults.extraBytesNeeded = parseByteCount(flags.needExtraSpace);
  } catch (error) {
    throw new CliUsageError(`--need-extra-space: ${(error as Error).message}`);
  }
  try {
    if (flags.oversizeFile !== undefined) faults.oversizeFileBytes = parseByteCount(flags.oversizeFile);
  } catch (error) {
    throw new CliUsageError(`--oversize-file: ${(error as Error).message}`);
  }
  if (flags.busyLock !== undefined) faults.busyLockReplies = wholeNumber(flags.busyLock, '--busy-lock');
  if (flags.afcDropAfterBytes !== undefined)
    faults.afcDropAfterBytes = wholeNumber(flags.afcDropAfterBytes, '--afc-drop-after-bytes');
  const config: Partial<BackupAgentConfig> = { faults, content: contentSource(flags.content) };
  if (flags.media !== undefined) {
    if (!existsSync(flags.media) || !statSync(flags.media).isDirectory())
      throw new CliUsageError(`--media ${flags.media}: not a folder`);
    config.media = resolve(flags.media);
  }
  if (flags.keybagRounds !== undefined) {
    const rounds = wholeNumber(flags.keybagRounds, '--keybag-rounds');
    config.keybag = { iterations: Math.max(1, Math.min(rounds, 10_000)), dpic: Math.max(1, rounds) };
  }
  return config;
}

/** `sample:ios=N` → N; `sample` and every other source → undefined; a bad N is a usage error. */
export function sampleIosVersion(source: string): number | undefined {
  if (!source.startsWith('sample:')) return undefined;
  const match = /^sample:ios=(.+)$/.exec(source);
  if (!match) throw new CliUsageError(`--content: "${source}" is not sample or sample:ios=N`);
  try {
    return parseIosVersion(match[1]!);
  } catch (error) {
    throw new CliUsageError(`--content: ${(error as Error).message}`);
  }
}

/**
 * What phones created now report as ProductVersion/BuildVersion/ProductType: with `sample:ios=N`, the iOS N of the
 * content (a phone whose state is saved in the state dir keeps what it had); otherwise nothing is overridden.
 */
export function emulatorIdentity(flags: Pick<EmulatorBackupFlags, 'content'>): IdentityOverrides | undefined {
  const ios = sampleIosVersion(flags.content);
  if (ios === undefined) return undefined;
  const profile = iosVersionProfile(ios);
  return {
    productVersion: profile.productVersion,
    buildVersion: profile.buildVersion,
    productType: profile.productType,
  };
}

function contentSource(source: string): BackupAgentConfig['content'] {
  if (source === 'sample') return sampleContent();
  if (source.startsWith('sample:')) return sampleContent(sampleIosVersion(source));
  if (source.startsWith('generated:')) {
    try {
      const spec = parseGeneratedSpec(source.slice('generated:'.length));
      return async () => generatedContent(spec);
    } catch (error) {
      throw new CliUsageError(`--content: ${(error as Error).message}`);
    }
  }
  return () => folderContent(source);
}
