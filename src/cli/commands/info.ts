import type { Command } from 'commander';
import { isPlistDict, readDeviceInfo, toXmlPlist, type PlistValue } from '../../operations/index.js';
import { runCommand } from '../run-command.js';
import { addUdidOption, cliDeviceAccess } from './device-options.js';

export function registerInfoCommand(program: Command): void {
  addUdidOption(
    program
      .command('info')
      .description(
        "show the phone's lockdown values (like ideviceinfo), inside a paired session; pairs first if needed",
      )
      .option('--domain <DOMAIN>', 'a value domain, e.g. com.apple.mobile.battery or com.apple.mobile.backup')
      .option('--key <KEY>', 'one value, e.g. ProductVersion, SerialNumber, WillEncrypt')
      .option('--xml', 'print the values as an XML plist', false),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  iosrescue info\n  iosrescue info --key ProductVersion\n  iosrescue info --domain com.apple.mobile.backup --key WillEncrypt --json\n',
    )
    .action(async (flags: { udid?: string; domain?: string; key?: string; xml: boolean }, command: Command) =>
      runCommand(command, async ({ logger, print, signal }) => {
        const { udid, value } = await readDeviceInfo(cliDeviceAccess(logger, signal), flags);
        const human = flags.xml ? toXmlPlist(value) : formatValue(value);
        print(human, { udid, domain: flags.domain ?? null, key: flags.key ?? null, value });
      }),
    );
}

/** `Key: value` lines like ideviceinfo; nested dicts indented; data shown as base64. */
export function formatValue(value: PlistValue, indent = ''): string {
  if (isPlistDict(value)) {
    return Object.entries(value)
      .map(([key, item]) =>
        isPlistDict(item) || Array.isArray(item)
          ? `${indent}${key}:\n${formatValue(item, `${indent}  `)}`
          : `${indent}${key}: ${scalar(item)}`,
      )
      .join('\n');
  }
  if (Array.isArray(value))
    return value
      .map((item) =>
        isPlistDict(item) || Array.isArray(item) ? formatValue(item, `${indent}  `) : `${indent}- ${scalar(item)}`,
      )
      .join('\n');
  return `${indent}${scalar(value)}`;
}

function scalar(value: PlistValue): string {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
