export { startControlServer, type ControlServer } from './control.js';
export { parseControlCommand, type ControlCommand } from './control-protocol.js';
export { startEmulator, VirtualIphone, type EmulatorOptions, type AddDeviceOptions } from './emulator.js';
export { VirtualDevice, type VirtualDeviceOptions } from './virtual-device.js';
export type { DevicePairing } from './device-pairings.js';
export { UsbmuxdServer, type UsbmuxdAddress, type AttachedDevice, type PluggableDevice } from './usbmuxd.js';
export { serveLockdown } from './lockdownd.js';
export type { ServiceContext, ServiceHandler, ServiceOptions } from './service-ports.js';
export { parseTrustMode, formatTrustMode, type TrustMode } from './trust.js';
export { createIdentity, udidFor, type IdentityOverrides } from './device-identity.js';
export { EmulatorError } from './errors.js';
export type { BackupAgentConfig, BackupFaults } from './backup/agent-config.js';
export {
  folderContent,
  generatedContent,
  itemsContent,
  parseGeneratedSpec,
  parseByteCount,
  type PhoneContent,
  type PhoneItem,
  type GeneratedContentSpec,
} from './backup/phone-content.js';
export { sampleContent, SAMPLE_SEED } from './backup/sample-content.js';
export {
  iosVersionProfile,
  parseIosVersion,
  IOS_MAJORS,
  NEWEST_IOS,
  type IosVersionProfile,
} from './content/ios-versions.js';
export { BackupEncryption } from './backup/encryption-state.js';
