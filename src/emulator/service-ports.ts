import { randomInt } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging.js';
import type { VirtualDevice } from './virtual-device.js';

/** What a service handler learns about the connection it was given. */
export interface ServiceContext {
  device: VirtualDevice;
  serviceName: string;
  /** The paired host whose lockdown session started the service. */
  hostId: string;
  /** The EscrowBag sent with StartService, if any (mobilebackup2 sends the pair record's). */
  escrowBag?: Buffer;
  logger: Logger;
}

/**
 * A device-side service: gets the tunnel socket (already TLS when the service was registered with `ssl`) and
 * owns it from then on.
 */
export type ServiceHandler = (socket: Duplex, context: ServiceContext) => void;

export interface ServiceOptions {
  /** Answer StartService with EnableServiceSSL:true and do the TLS server handshake before the handler runs. */
  ssl?: boolean;
}

export interface RegisteredService {
  name: string;
  handler: ServiceHandler;
  ssl: boolean;
}

interface OpenPort {
  service: RegisteredService;
  context: Omit<ServiceContext, 'device' | 'logger'>;
  timer: NodeJS.Timeout;
}

/** An unused StartService port stops listening after this long, like lockdownd's one-shot service listeners. */
const PORT_TTL_MS = 60_000;
const LOCKDOWN_TCP_PORT = 62078;

/**
 * The device's TCP ports as usbmuxd reaches them: fixed listeners (lockdownd on 62078) and one-shot ports that
 * StartService opens for a service (a real lockdownd starts the service listening on a fresh port and hands the
 * first connection to it).
 */
export class ServicePorts {
  private readonly fixed = new Map<number, (socket: Duplex) => void>();
  private readonly open = new Map<number, OpenPort>();

  listenOn(port: number, accept: (socket: Duplex) => void): void {
    this.fixed.set(port, accept);
  }

  /** Opens a fresh port for one connection to the service; returns the port number. */
  openFor(service: RegisteredService, context: OpenPort['context']): number {
    let port: number;
    do port = randomInt(49152, 65536);
    while (port === LOCKDOWN_TCP_PORT || this.fixed.has(port) || this.open.has(port));
    const timer = setTimeout(() => this.open.delete(port), PORT_TTL_MS);
    timer.unref();
    this.open.set(port, { service, context, timer });
    return port;
  }

  /** Who takes a connection to `port` now; a StartService port is used up by its first connection. */
  take(
    port: number,
  ): { fixed: (socket: Duplex) => void } | { service: RegisteredService; context: OpenPort['context'] } | undefined {
    const fixed = this.fixed.get(port);
    if (fixed) return { fixed };
    const open = this.open.get(port);
    if (!open) return undefined;
    clearTimeout(open.timer);
    this.open.delete(port);
    return { service: open.service, context: open.context };
  }

  closeAll(): void {
    for (const open of this.open.values()) clearTimeout(open.timer);
    this.open.clear();
  }
}
