/** What the generator put into the backup of voice memos, ringtones and the music library (see generate-audio.ts). */

/** Where the generated Voice Memos live, by iOS version (see voice-memos-db.ts). */
export type VoiceMemoLayout = 'app-group' | 'media-domain' | 'legacy';

export interface TruthVoiceMemo {
  pk: number;
  /** ZUNIQUEID; null in the legacy Recordings.db, which has none. */
  uuid: string | null;
  /** The title the app shows, as an extractor should report it. */
  title: string;
  /** Which column holds the title: ZENCRYPTEDTITLE (plain text despite its name), ZCUSTOMLABEL only, or both labels. */
  titleIn: 'encrypted-title' | 'custom-label' | 'labels';
  date: Date;
  durationSeconds: number;
  /** ZFOLDER's ZENCRYPTEDNAME. */
  folder: string | null;
  /** ZEVICTIONDATE: the memo is in Recently Deleted (its audio is still there). */
  evicted: Date | null;
  /** ZPATH as stored: a file name, or a full device path in the legacy Recordings.db. */
  storedPath: string;
  domain: string;
  /** Where the audio sits in the backup. */
  relativePath: string;
  data: Buffer;
}

export interface TruthRingtone {
  /** The device's file name (iTunes gives synced tones four-letter names, "QWER.m4r"). */
  fileName: string;
  domain: string;
  relativePath: string;
  /** Ringtones.plist's Name; null when the plist has no entry for the file (its stem is then the name). */
  name: string | null;
  /** "Media Kind": ringtone or tone (alert). */
  kind: 'ringtone' | 'tone' | null;
  /** "Total Time" is milliseconds. */
  durationMs: number | null;
  guid: string | null;
  /** Bought in the iTunes Store (TonesDomain Media/Purchases). */
  purchased: boolean;
  /** The manifest's mtime (whole seconds): tones carry no other date. */
  modified: Date;
  data: Buffer;
}

export interface TruthTrack {
  /** item.item_pid: a 64-bit id, as a decimal string (it does not fit a JS number). */
  id: string;
  title: string;
  artist: string;
  album: string;
  albumArtist: string;
  genre: string;
  trackNumber: number;
  discNumber: number;
  year: number;
  /** item_extra.total_time_ms / 1000. */
  durationSeconds: number;
  /** item_extra.media_kind: 1 music, 4 podcast, … */
  mediaKind: number;
  fileSize: number;
  playCount: number;
  /** item.date_added, whole seconds since 2001. */
  dateAdded: Date;
  /** base_location.path + '/' + item_extra.location, e.g. iTunes_Control/Music/F12/ABCD.m4a (under /var/mobile/Media).
   * */
  devicePath: string;
  /** The audio file's bytes when the backup holds it (MediaDomain Media/<devicePath>); null as for most music. */
  data: Buffer | null;
}
