import type { Duplex } from 'node:stream';
import type { LockdownSession } from '../../lockdown/index.js';
import { silentLogger, type Logger } from '../../logging.js';
import { Real, isPlistDict, plistNumber, type PlistDict } from '../../plist/index.js';
import { DeviceLinkChannel } from '../device-link/index.js';
import { Mobilebackup2Error } from './errors.js';
import { runMessageLoop, type LoopOptions } from './message-loop.js';
import {
  MOBILEBACKUP2_SERVICE,
  backupRequest,
  changePasswordRequest,
  helloRequest,
  simpleRequest,
} from './protocol.js';

export interface BackupRequestOptions extends LoopOptions {
  udid: string;
  /** Ask for a full backup even when the host has a previous one (incremental is the default). */
  forceFull?: boolean;
}

/**
 * The host side of com.apple.mobilebackup2 on a started service socket: DeviceLink version exchange, Hello, then
 * one operation at a time, each answered through the BackupHost until the phone's final message.
 */
export class Mobilebackup2Client {
  private constructor(
    private readonly channel: DeviceLinkChannel,
    readonly protocolVersion: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts com.apple.mobilebackup2 in the lockdown session with the pair record's EscrowBag (without it a locked
   * phone refuses the backup), then does what start() does on its socket.
   */
  static async open(
    session: Pick<LockdownSession, 'startService' | 'record'>,
    options: { logger?: Logger } = {},
  ): Promise<Mobilebackup2Client> {
    const service = await session.startService(MOBILEBACKUP2_SERVICE, { escrowBag: session.record.EscrowBag });
    return Mobilebackup2Client.start(service.socket, options);
  }

  static async start(socket: Duplex, options: { logger?: Logger } = {}): Promise<Mobilebackup2Client> {
    const logger = options.logger ?? silentLogger;
    const channel = new DeviceLinkChannel(socket, { logger });
    try {
      await channel.exchangeVersions();
      await channel.sendProcessMessage(helloRequest());
      const reply = await channel.receive({ timeoutMs: 30_000, waitingFor: 'the answer to Hello' });
      const body = reply[1];
      if (reply[0] !== 'DLMessageProcessMessage' || !isPlistDict(body) || body.MessageName !== 'Response') {
        throw new Mobilebackup2Error('MB2_BAD_REPLY', `the phone answered Hello with ${reply[0]}`);
      }
      const code = plistNumber(body.ErrorCode);
      if (code === undefined) throw new Mobilebackup2Error('MB2_BAD_REPLY', 'the Hello reply has no ErrorCode');
      if (code !== 0)
        throw new Mobilebackup2Error(
          code === 1 ? 'MB2_NO_COMMON_VERSION' : `MB2_DEVICE_${code}`,
          `the phone refused Hello (ErrorCode ${String(code)})`,
        );
      // The phone sends the version as a real; an integer here is a malformed reply.
      if (!(body.ProtocolVersion instanceof Real))
        throw new Mobilebackup2Error('MB2_BAD_REPLY', 'the Hello reply has no real ProtocolVersion');
      logger.debug({ version: body.ProtocolVersion.value }, 'mobilebackup2 protocol agreed');
      return new Mobilebackup2Client(channel, body.ProtocolVersion.value, logger);
    } catch (error) {
      channel.close();
      throw error;
    }
  }

  async backup(options: BackupRequestOptions): Promise<PlistDict> {
    await this.channel.sendProcessMessage(backupRequest(options.udid, { forceFull: options.forceFull }));
    return runMessageLoop(this.channel, { logger: this.logger, ...options });
  }

  async changePassword(
    options: LoopOptions & { udid: string; oldPassword?: string; newPassword?: string },
  ): Promise<PlistDict> {
    await this.channel.sendProcessMessage(changePasswordRequest(options.udid, options));
    return runMessageLoop(this.channel, { logger: this.logger, ...options });
  }

  /** Info or List: the phone's answer is in the final dict's `Content`. */
  async query(kind: 'Info' | 'List', options: LoopOptions & { udid: string }): Promise<PlistDict> {
    await this.channel.sendProcessMessage(simpleRequest(kind, options.udid));
    return runMessageLoop(this.channel, { logger: this.logger, ...options });
  }

  /** Says goodbye as idevicebackup2 does and closes the socket. */
  disconnect(): Promise<void> {
    return this.channel.disconnect();
  }
}
