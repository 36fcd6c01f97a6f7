import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Failures of the virtual iPhone itself (not of what it tells clients: those are protocol replies).
 * Codes: EMULATOR_BAD_OPTION (an option or CLI argument we cannot use), EMULATOR_BAD_STATE (a state file that
 * cannot be read back), EMULATOR_NO_DEVICE (no device with that UDID), EMULATOR_LISTEN_FAILED,
 * EMULATOR_PROTOCOL (a host broke the protocol of a service the phone serves), EMULATOR_FAULT (an injected fault
 * fired).
 */
export const EMULATOR_ERROR_CATEGORIES = {
  EMULATOR_BAD_OPTION: 'internal',
  EMULATOR_BAD_STATE: 'internal',
  EMULATOR_NO_DEVICE: 'internal',
  EMULATOR_LISTEN_FAILED: 'internal',
  EMULATOR_PROTOCOL: 'internal',
  EMULATOR_FAULT: 'internal',
} as const satisfies CategoryTable<string>;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERROR_CATEGORIES;

export class EmulatorError extends IosRescueError {
  declare readonly code: EmulatorErrorCode;

  constructor(code: EmulatorErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(EMULATOR_ERROR_CATEGORIES[code], options));
  }
}
