import { EmulatorError } from './errors.js';

/**
 * The emulator's control protocol: one JSON object per line in, one JSON reply per line out. For lab scripts and
 * tests that plug virtual phones in and out while a daemon watches (`iosrescue emulator --control SOCKET`).
 *
 *   {"plug": 3}                      plug in 3 new phones            → {"ok":true,"plugged":["<UDID>",…]}
 *   {"plug": {"udid": "<UDID>"}}     plug a phone in again (one unplugged before, its state kept)
 *   {"plug": {"index": 5}}           plug in the phone with this index (same seed, same UDID)
 *   {"unplug": "<UDID>"}             unplug it                        → {"ok":true,"unplugged":"<UDID>"}
 *   {"restart-usbmuxd": true}        restart the virtual usbmuxd ({"restart-usbmuxd": {"downMs": 500}} stays down)
 *   {"trust": {"udid": "<UDID>", "mode": "pending:5"}}
 *   {"list": true}                   → {"ok":true,"devices":[{"udid","name","index"}…]}
 * A bad line gets {"ok":false,"code":"EMULATOR_BAD_OPTION","message":…} and the connection stays open.
 */
export type ControlCommand =
  | { op: 'plug'; count: number }
  | { op: 'replug'; udid?: string; index?: number }
  | { op: 'unplug'; udid: string }
  | { op: 'restart-usbmuxd'; downMs: number }
  | { op: 'trust'; udid: string; mode: string }
  | { op: 'list' };

/** The most phones one `plug` adds, and the longest usbmuxd outage one restart asks for. */
export const MAX_PLUG = 64;
export const MAX_DOWN_MS = 60_000;

export function parseControlCommand(line: string): ControlCommand {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw bad(`not JSON: ${line.slice(0, 80)}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('a command is a JSON object');
  const entries = Object.entries(value);
  if (entries.length !== 1) throw bad('a command has exactly one key: plug, unplug, restart-usbmuxd, trust or list');
  const [key, arg] = entries[0]!;
  switch (key) {
    case 'plug':
      if (typeof arg === 'number') {
        if (!Number.isInteger(arg) || arg < 1 || arg > MAX_PLUG) throw bad(`"plug" wants 1 to ${MAX_PLUG} phones`);
        return { op: 'plug', count: arg };
      }
      if (arg && typeof arg === 'object') {
        const { udid, index } = arg as { udid?: unknown; index?: unknown };
        if (typeof udid === 'string' && udid) return { op: 'replug', udid };
        if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < 10_000)
          return { op: 'replug', index };
      }
      throw bad('"plug" wants a count, {"udid": …} or {"index": …}');
    case 'unplug':
      if (typeof arg !== 'string' || !arg) throw bad('"unplug" wants a UDID');
      return { op: 'unplug', udid: arg };
    case 'restart-usbmuxd': {
      if (arg === true) return { op: 'restart-usbmuxd', downMs: 0 };
      const downMs = (arg as { downMs?: unknown } | null)?.downMs;
      if (typeof downMs === 'number' && downMs >= 0 && downMs <= MAX_DOWN_MS) return { op: 'restart-usbmuxd', downMs };
      throw bad(`"restart-usbmuxd" wants true or {"downMs": 0..${MAX_DOWN_MS}}`);
    }
    case 'trust': {
      const { udid, mode } = (arg ?? {}) as { udid?: unknown; mode?: unknown };
      if (typeof udid !== 'string' || typeof mode !== 'string') throw bad('"trust" wants {"udid": …, "mode": …}');
      return { op: 'trust', udid, mode };
    }
    case 'list':
      return { op: 'list' };
    default:
      throw bad(`unknown command "${key}" (plug, unplug, restart-usbmuxd, trust, list)`);
  }
}

function bad(message: string): EmulatorError {
  return new EmulatorError('EMULATOR_BAD_OPTION', message);
}
