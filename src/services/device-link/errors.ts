import { IosRescueError } from '../../errors.js';

/**
 * DeviceLink failures. Codes: DEVICELINK_BAD_MESSAGE (not a DL array), DEVICELINK_VERSION (no common protocol
 * version), DEVICELINK_PATH_TOO_LONG, DEVICELINK_BLOCK_TOO_LARGE, DEVICELINK_FILE_TOO_LARGE (one uploaded file went
 * past the receiver's cap; details: devicePath, path, bytes, limit), DEVICELINK_BAD_STREAM (a file stream that breaks
 * its format), DEVICELINK_DISCONNECTED (the device said DLMessageDisconnect).
 */
export class DeviceLinkError extends IosRescueError {}
