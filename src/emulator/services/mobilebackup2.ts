import { serveMobilebackup2 } from '../backup/agent.js';
import type { DeviceService } from './index.js';

/** com.apple.mobilebackup2: the backup agent in ../backup, reading the phone's content and faults on every connection.
 * */
export const mobilebackup2Service: DeviceService = {
  options: {},
  handler: (config) => (socket, context) => serveMobilebackup2(socket, context, config),
};
