import { PlistError } from './errors.js';
import { Real, Uid, type PlistValue } from './types.js';

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

/**
 * Encodes a value as an XML plist, tab-indented like libplist. usbmuxd clients (libusbmuxd) parse only XML, and
 * libimobiledevice sends XML to lockdownd, so this form must be exactly what they accept.
 */
export function toXmlPlist(root: PlistValue): string {
  const parts: string[] = [HEADER];
  write(root, 0, parts, new Set());
  parts.push('</plist>\n');
  return parts.join('');
}

function write(value: PlistValue, depth: number, out: string[], onPath: Set<object>): void {
  const indent = '\t'.repeat(depth);
  if (typeof value === 'string') {
    out.push(`${indent}<string>${escapeText(value)}</string>\n`);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) out.push(`${indent}<integer>${value}</integer>\n`);
    else out.push(`${indent}<real>${formatReal(value)}</real>\n`);
  } else if (typeof value === 'bigint') {
    out.push(`${indent}<integer>${value}</integer>\n`);
  } else if (typeof value === 'boolean') {
    out.push(`${indent}<${value}/>\n`);
  } else if (value instanceof Real) {
    out.push(`${indent}<real>${formatReal(value.value)}</real>\n`);
  } else if (value instanceof Uid) {
    // CoreFoundation's XML form of a UID.
    out.push(
      `${indent}<dict>\n${indent}\t<key>CF$UID</key>\n${indent}\t<integer>${value.value}</integer>\n${indent}</dict>\n`,
    );
  } else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new PlistError('PLIST_BAD_VALUE', 'an invalid Date');
    out.push(`${indent}<date>${value.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>\n`);
  } else if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    out.push(`${indent}<data>${Buffer.from(value).toString('base64')}</data>\n`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${indent}<array/>\n`);
      return;
    }
    enter(value, onPath);
    out.push(`${indent}<array>\n`);
    for (const item of value) write(item, depth + 1, out, onPath);
    out.push(`${indent}</array>\n`);
    onPath.delete(value);
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.push(`${indent}<dict/>\n`);
      return;
    }
    enter(value, onPath);
    out.push(`${indent}<dict>\n`);
    for (const [key, item] of entries) {
      out.push(`${indent}\t<key>${escapeText(key)}</key>\n`);
      write(item, depth + 1, out, onPath);
    }
    out.push(`${indent}</dict>\n`);
    onPath.delete(value);
  } else {
    throw new PlistError('PLIST_BAD_VALUE', `a ${value === null ? 'null' : typeof value} has no plist form`);
  }
}

function enter(value: object, onPath: Set<object>): void {
  if (onPath.has(value)) throw new PlistError('PLIST_CYCLE', 'the value contains itself');
  onPath.add(value);
}

function formatReal(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return '+infinity';
  if (value === -Infinity) return '-infinity';
  return String(value);
}

function escapeText(text: string): string {
  // XML 1.0 cannot carry these control characters at all, escaped or not.
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(text)) {
    throw new PlistError('PLIST_BAD_VALUE', 'a string holds a control character that XML cannot represent');
  }
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
