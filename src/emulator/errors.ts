import { IosRescueError } from '../errors.js';

/**
 * Failures of the virtual iPhone itself (not of what it tells clients: those are protocol replies).
 * Codes: EMULATOR_BAD_OPTION (an option or CLI argument we cannot use), EMULATOR_BAD_STATE (a state file that
 * cannot be read back), EMULATOR_NO_DEVICE (no device with that UDID), EMULATOR_LISTEN_FAILED,
 * EMULATOR_PROTOCOL (a host broke the protocol of a service the phone serves), EMULATOR_FAULT (an injected fault fired).
 */
export class EmulatorError extends IosRescueError {}
