/**
 * The virtual iPhone, for the demo and for `iosrescue emulator` (which serves it to any usbmuxd client). The
 * emulator is a peer of the client layers, not below them: src/operations/demo*.ts are the only operations that
 * may reach it, and everything else talks to phones through usbmux like any client.
 */
export {
  folderContent,
  formatTrustMode,
  generatedContent,
  iosVersionProfile,
  parseByteCount,
  parseGeneratedSpec,
  parseIosVersion,
  parseTrustMode,
  sampleContent,
  startControlServer,
  startEmulator,
  type BackupAgentConfig,
  type BackupFaults,
  type ControlServer,
  type IdentityOverrides,
  type VirtualDevice,
  type VirtualIphone,
} from '../emulator/index.js';
