/**
 * Where usbmuxd listens. `USBMUXD_SOCKET_ADDRESS` is read exactly as libusbmuxd 2.0.2 reads it
 * (src/libusbmuxd.c connect_usbmuxd_socket): `UNIX:/path`, or `host:port` / `[ipv6]:port` where the port is what
 * follows the last colon; any other shape is ignored and the platform default is used.
 */
export type UsbmuxAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseUsbmuxAddress(
  value: string | undefined,
  platform: NodeJS.Platform = process.platform,
): UsbmuxAddress | undefined {
  if (!value) return undefined;
  if (value.startsWith('UNIX:')) {
    const path = value.slice(5);
    // UNIX sockets do not exist for libusbmuxd on Windows; an empty path is ignored.
    return path && platform !== 'win32' ? { kind: 'unix', path } : undefined;
  }
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const portText = value.slice(colon + 1);
  if (!/^\d+$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  let host = value.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host ? { kind: 'tcp', host, port } : undefined;
}

/** Linux and macOS: /var/run/usbmuxd; Windows: Apple Mobile Device Service on 127.0.0.1:27015. */
export function defaultUsbmuxAddress(platform: NodeJS.Platform = process.platform): UsbmuxAddress {
  return platform === 'win32'
    ? { kind: 'tcp', host: '127.0.0.1', port: 27015 }
    : { kind: 'unix', path: '/var/run/usbmuxd' };
}

export function resolveUsbmuxAddress(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): UsbmuxAddress {
  return parseUsbmuxAddress(env.USBMUXD_SOCKET_ADDRESS, platform) ?? defaultUsbmuxAddress(platform);
}

/** The address in USBMUXD_SOCKET_ADDRESS form, for messages. */
export function formatUsbmuxAddress(address: UsbmuxAddress): string {
  if (address.kind === 'unix') return `UNIX:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
