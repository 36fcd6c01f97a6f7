import type { BackupAgentConfig } from '../backup/agent-config.js';
import type { ServiceHandler, ServiceOptions } from '../service-ports.js';
import { afcService } from './afc.js';
import { installationProxyService } from './installation-proxy.js';
import { mobilebackup2Service } from './mobilebackup2.js';
import { notificationProxyService } from './notification-proxy.js';

/**
 * A device-side service: builds its connection handler for one emulator (handlers read `config` on every
 * connection, so tests can change content and faults between runs) and says whether StartService turns on TLS.
 */
export interface DeviceService {
  options: ServiceOptions;
  handler(config: BackupAgentConfig): ServiceHandler;
}

/**
 * Every service the virtual iPhone serves, by the name a host passes to lockdownd's StartService. The emulator
 * registers each one on every phone it plugs in; lockdownd starts only what a phone has registered.
 */
export const DEVICE_SERVICES: ReadonlyMap<string, DeviceService> = new Map([
  ['com.apple.mobile.notification_proxy', notificationProxyService],
  ['com.apple.afc', afcService],
  ['com.apple.mobile.installation_proxy', installationProxyService],
  ['com.apple.mobilebackup2', mobilebackup2Service],
]);
