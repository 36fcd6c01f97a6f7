import { Readable } from 'node:stream';
import {
  BackupReader,
  fileIdFor,
  patternBytes,
  type BackupFileEntry,
  type MbFile,
  type SyntheticItem,
} from '../../backup/index.js';
import { EmulatorError } from '../errors.js';

/** One item on the virtual phone, as its backup agent sees it: where it lives, its metadata, and its bytes. */
export interface PhoneItem {
  domain: string;
  relativePath: string;
  kind: 'file' | 'directory' | 'symlink';
  /** The MBFile the phone records for it (no EncryptionKey: the agent makes one per backup when encrypting). */
  metadata: MbFile;
}

/**
 * What a virtual phone holds. Items are streamed in a stable order and opened one at a time, so a phone with a
 * million files costs the agent no more memory than one with ten.
 */
export interface PhoneContent {
  readonly description: string;
  items(): AsyncIterable<PhoneItem>;
  open(item: { domain: string; relativePath: string }): Promise<Readable>;
  close(): Promise<void>;
}

const MODE = { file: 0o100644, directory: 0o40755, symlink: 0o120755 } as const;

function kindOf(entry: BackupFileEntry): PhoneItem['kind'] | undefined {
  return entry.kind === 'file' || entry.kind === 'directory' || entry.kind === 'symlink' ? entry.kind : undefined;
}

/**
 * A plain backup folder served as the phone's content (`emulator --content DIR`): every Manifest row becomes an item
 * with its recorded metadata, and a file's bytes come from its data file. Encrypted folders are refused: the phone
 * holds plaintext and encrypts while backing up.
 */
export async function folderContent(dir: string): Promise<PhoneContent> {
  const reader = await BackupReader.open(dir, {
    password: async () => {
      throw new EmulatorError(
        'EMULATOR_BAD_OPTION',
        `${dir} is an encrypted backup: give the emulator a plain one (iosrescue decrypt makes one)`,
      );
    },
  });
  return {
    description: `backup folder ${dir}`,
    async *items() {
      for await (const entry of reader.files()) {
        const kind = kindOf(entry);
        if (kind === undefined || entry.metadata === null) continue;
        const { encryptionKey: _dropped, ...metadata } = entry.metadata;
        yield { domain: entry.domain, relativePath: entry.relativePath, kind, metadata };
      }
    },
    async open(item) {
      const entry = reader.get(item.domain, item.relativePath);
      if (entry === undefined)
        throw new EmulatorError('EMULATOR_BAD_STATE', `${item.domain}/${item.relativePath} vanished from ${dir}`);
      return reader.openFile(entry);
    },
    close: () => reader.close(),
  };
}

function itemSize(item: SyntheticItem): number {
  if (item.data === undefined || (item.kind ?? 'file') !== 'file') return 0;
  return Buffer.isBuffer(item.data) ? item.data.length : item.data.size;
}

/** Items held in memory (the built-in sample, tests): metadata as a device records it, times from `date`. */
export function itemsContent(
  items: SyntheticItem[],
  options: { date?: Date; description?: string } = {},
): PhoneContent {
  const seconds = Math.floor((options.date ?? new Date('2025-01-15T10:30:00Z')).getTime() / 1000);
  const byPath = new Map(items.map((item) => [`${item.domain}\0${item.relativePath}`, item]));
  return {
    description: options.description ?? `${items.length} items`,
    async *items() {
      let inode = 200_000;
      for (const item of items) {
        const kind = item.kind ?? 'file';
        const time = item.mtime ?? seconds;
        yield {
          domain: item.domain,
          relativePath: item.relativePath,
          kind,
          metadata: {
            size: item.recordedSize ?? itemSize(item),
            mode: MODE[kind],
            userId: 501,
            groupId: 501,
            inode: inode++,
            lastModified: time,
            lastStatusChange: time,
            birth: time,
            protectionClass: item.protectionClass ?? 3,
            relativePath: item.relativePath,
            target: kind === 'symlink' ? (item.target ?? '') : undefined,
          },
        };
      }
    },
    async open(wanted) {
      const item = byPath.get(`${wanted.domain}\0${wanted.relativePath}`);
      if (item?.data === undefined) return Readable.from([]);
      return Buffer.isBuffer(item.data) ? Readable.from([item.data]) : item.data.open();
    },
    close: async () => undefined,
  };
}

export interface GeneratedContentSpec {
  files: number;
  /** Total bytes of all files together. */
  bytes: number;
  seed?: string;
  /** One file in this many is large and carries most of the bytes (default 1,000). */
  largeEvery?: number;
}

const GENERATED_DOMAIN = 'CameraRollDomain';
const POOL_BYTES = 4 * 1024 * 1024;

/**
 * A generated phone for benchmarks and scale tests: `files` files totalling `bytes`, mostly small (a quarter of
 * the bytes spread over them) with one large file in every `largeEvery` holding the rest, like photos among
 * thumbnails. Contents are cut from one seeded pool at per-file offsets, so nothing is stored and generating is
 * not what gets measured. File i's path and size depend only on (spec, i).
 */
export function generatedContent(spec: GeneratedContentSpec): PhoneContent {
  if (!Number.isSafeInteger(spec.files) || spec.files < 1)
    throw new EmulatorError('EMULATOR_BAD_OPTION', 'generated content needs at least one file');
  if (!Number.isSafeInteger(spec.bytes) || spec.bytes < 0)
    throw new EmulatorError('EMULATOR_BAD_OPTION', 'generated content needs a byte count ≥ 0');
  const largeEvery = spec.largeEvery ?? 1000;
  if (!Number.isSafeInteger(largeEvery) || largeEvery < 1)
    throw new EmulatorError('EMULATOR_BAD_OPTION', 'large=L needs a whole number ≥ 1');
  const largeCount = Math.max(1, Math.floor(spec.files / largeEvery));
  const smallCount = spec.files - largeCount;
  const smallSize = smallCount === 0 ? 0 : Math.floor((spec.bytes * 0.25) / smallCount);
  const largeTotal = spec.bytes - smallSize * smallCount;
  const largeSize = Math.floor(largeTotal / largeCount);
  const lastLargeExtra = largeTotal - largeSize * largeCount;
  const pool = patternBytes(spec.seed ?? 'generated', POOL_BYTES);
  const seconds = Math.floor(Date.parse('2025-06-01T12:00:00Z') / 1000);

  const isLarge = (i: number): boolean => i % largeEvery === 0 && i / largeEvery < largeCount;
  const sizeOf = (i: number): number =>
    isLarge(i) ? largeSize + (i / largeEvery === largeCount - 1 ? lastLargeExtra : 0) : smallSize;
  const pathOf = (i: number): string =>
    `Media/DCIM/${100 + Math.floor(i / 1000)}APPLE/IMG_${String(i).padStart(7, '0')}.${isLarge(i) ? 'MOV' : 'JPG'}`;

  return {
    description: `generated: ${spec.files} files, ${spec.bytes} bytes`,
    async *items() {
      let folder = -1;
      for (let i = 0; i < spec.files; i++) {
        const dir = Math.floor(i / 1000);
        if (dir !== folder) {
          folder = dir;
          const relativePath = `Media/DCIM/${100 + dir}APPLE`;
          yield {
            domain: GENERATED_DOMAIN,
            relativePath,
            kind: 'directory',
            metadata: {
              size: 0,
              mode: MODE.directory,
              userId: 501,
              groupId: 501,
              lastModified: seconds,
              lastStatusChange: seconds,
              birth: seconds,
              protectionClass: 3,
              relativePath,
            },
          };
        }
        const relativePath = pathOf(i);
        yield {
          domain: GENERATED_DOMAIN,
          relativePath,
          kind: 'file',
          metadata: {
            size: sizeOf(i),
            mode: MODE.file,
            userId: 501,
            groupId: 501,
            inode: 300_000 + i,
            lastModified: seconds + i,
            lastStatusChange: seconds + i,
            birth: seconds + i,
            protectionClass: 3,
            relativePath,
          },
        };
      }
    },
    async open(item) {
      const match = /IMG_(\d{7})\./.exec(item.relativePath);
      if (item.domain !== GENERATED_DOMAIN || match === null)
        throw new EmulatorError('EMULATOR_BAD_STATE', `no generated file ${item.domain}/${item.relativePath}`);
      const index = Number(match[1]);
      let left = sizeOf(index);
      let at = (index * 7919) % POOL_BYTES;
      return new Readable({
        read() {
          if (left === 0) return void this.push(null);
          const n = Math.min(left, POOL_BYTES - at, 1024 * 1024);
          this.push(pool.subarray(at, at + n));
          left -= n;
          at = (at + n) % POOL_BYTES;
        },
      });
    },
    close: async () => undefined,
  };
}

/**
 * `files=N,bytes=B[,large=L][,seed=S]` (B may end in K, M or G; one file in L is large) → a generated phone, for
 * `emulator --content generated:…`.
 */
export function parseGeneratedSpec(text: string): GeneratedContentSpec {
  const spec: Partial<GeneratedContentSpec> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [key, value = ''] = part.split('=');
    if (key === 'files') spec.files = Number(value);
    else if (key === 'bytes') spec.bytes = parseByteCount(value);
    else if (key === 'seed') spec.seed = value;
    else if (key === 'large') spec.largeEvery = Number(value);
    else
      throw new EmulatorError(
        'EMULATOR_BAD_OPTION',
        `unknown generated-content setting "${key}" (use files=N,bytes=SIZE)`,
      );
  }
  if (spec.files === undefined || spec.bytes === undefined)
    throw new EmulatorError(
      'EMULATOR_BAD_OPTION',
      'generated content needs files=N and bytes=SIZE, e.g. generated:files=200000,bytes=1G',
    );
  return spec as GeneratedContentSpec;
}

export function parseByteCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(text.trim());
  if (!match) throw new EmulatorError('EMULATOR_BAD_OPTION', `"${text}" is not a size (e.g. 512M, 1G, 1048576)`);
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(match[1]) * scale);
}

/** The ID a phone item's data file is stored under (SHA-1 of "domain-relativePath"). */
export function itemFileId(item: { domain: string; relativePath: string }): string {
  return fileIdFor(item.domain, item.relativePath);
}
