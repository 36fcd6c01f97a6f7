import type { Duplex } from 'node:stream';
import { Real, type PlistDict, type PlistValue } from '../../plist/index.js';
import { SyncNotification } from '../../services/notification-proxy/protocol.js';
import type { ServiceContext } from '../service-ports.js';
import type { BackupAgentConfig } from './agent-config.js';
import { STALLED, runBackup, type AgentResult } from './backup-run.js';
import { DeviceSideLink } from './device-side-link.js';
import { BackupEncryption } from './encryption-state.js';

/** Debian's libimobiledevice 1.3.0 refuses a DeviceLink major above 400 (native-notes/protocols/device-link.md "Version
 * exchange"). */
const DEVICE_LINK_MAJOR = 400;
/** How long the phone waits for the host's next request or reply before it gives up on the connection. */
const HOST_TIMEOUT_MS = 300_000;
const SUPPORTED_VERSIONS = [2.1, 2.0];

/**
 * com.apple.mobilebackup2, device side: DeviceLink version exchange, Hello, then Backup and ChangePassword the way a
 * phone answers them; other requests end with an honest "not emulated" error. One connection, any number of
 * requests, until the host disconnects.
 */
export function serveMobilebackup2(socket: Duplex, context: ServiceContext, config: BackupAgentConfig): void {
  const log = context.logger.child({ service: 'mobilebackup2' });
  const link = new DeviceSideLink(socket, HOST_TIMEOUT_MS);
  socket.on('error', (error) => log.debug({ err: error }, 'mobilebackup2 connection error'));
  runSession(link, { ...context, logger: log }, config)
    .catch((error: unknown) => log.info({ err: error }, 'mobilebackup2 session ended early'))
    .finally(() => link.close());
}

async function runSession(link: DeviceSideLink, context: ServiceContext, config: BackupAgentConfig): Promise<void> {
  if (!(await link.handshake(DEVICE_LINK_MAJOR))) return;
  for (;;) {
    const request = await link.receiveRequest("the host's next mobilebackup2 request");
    if (request === undefined) return;
    const name = request.MessageName;
    context.logger.info({ request: name }, 'mobilebackup2 request');
    if (name === 'Hello') {
      await link.send(['DLMessageProcessMessage', hello(request)]);
      continue;
    }
    let result: AgentResult | typeof STALLED;
    if (name === 'Backup') result = await runBackup(link, context, config, request);
    else if (name === 'ChangePassword') result = await changePassword(context, config, request);
    else
      result = {
        code: 1,
        description: `${String(name)} is not emulated by the virtual iPhone (it serves Backup and ChangePassword)`,
      };
    if (result === STALLED) {
      // A stalled phone says nothing more; the host has to notice on its own.
      await new Promise<void>((resolve) =>
        link.socket.destroyed ? resolve() : link.socket.once('close', () => resolve()),
      );
      return;
    }
    const reply: PlistDict = { ErrorCode: result.code, MessageName: 'Response' };
    if (result.description !== undefined) reply.ErrorDescription = result.description;
    await link.send(['DLMessageProcessMessage', reply]);
  }
}

/** The newest protocol version both sides know, as a real (an integer 2 breaks libimobiledevice); ErrorCode 1: none. */
function hello(request: PlistDict): PlistDict {
  const offered = Array.isArray(request.SupportedProtocolVersions)
    ? request.SupportedProtocolVersions.map((v: PlistValue) => Number(v))
    : [];
  const common = SUPPORTED_VERSIONS.find((version) => offered.some((v) => Math.abs(v - version) < 1e-9));
  if (common === undefined) return { MessageName: 'Response', ErrorCode: 1 };
  return { MessageName: 'Response', ErrorCode: 0, ProtocolVersion: new Real(common) };
}

/**
 * ChangePassword (native-notes/protocols/backup-encryption.md "Turning encryption on and off"): NewPassword alone
 * turns encryption on, OldPassword alone turns it off, both change it. A wrong or missing old password is error
 * 207, "Invalid password", as on a phone.
 */
async function changePassword(
  context: ServiceContext,
  config: BackupAgentConfig,
  request: PlistDict,
): Promise<AgentResult> {
  const encryption = await BackupEncryption.load(context.device);
  const oldPassword = typeof request.OldPassword === 'string' ? request.OldPassword : undefined;
  const newPassword = typeof request.NewPassword === 'string' ? request.NewPassword : undefined;
  if (oldPassword === undefined && newPassword === undefined)
    return { code: 1, description: 'ChangePassword needs NewPassword, OldPassword, or both' };
  if (encryption.enabled) {
    if (oldPassword === undefined || !encryption.passwordMatches(oldPassword))
      return { code: 207, description: 'Invalid password' };
  } else if (oldPassword !== undefined) {
    return { code: 207, description: 'Invalid password' };
  }
  if (newPassword === undefined) await encryption.disable();
  else await encryption.setPassword(newPassword, config.keybag);
  context.logger.info({ encrypted: newPassword !== undefined }, 'backup encryption changed');
  context.device.notifications.post(SyncNotification.BACKUP_DOMAIN_CHANGED);
  return { code: 0 };
}
