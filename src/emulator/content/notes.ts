import { toAppleSeconds } from './apple-time.js';
import { noteStoreData } from './note-proto.js';
import { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import { tinyJpeg } from './tiny-jpeg.js';
import type { TruthNote, TruthNoteAttachment, TruthNoteFolder, TruthNoteParagraph } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/** The Notes app group's backup domain: NoteStore.sqlite at its root, attachments under `Accounts/<account>/Media/`. */
export const NOTES_DOMAIN = 'AppDomainGroup-group.com.apple.notes';

/**
 * NoteStore.sqlite as iOS 17 writes it (the same Core Data model as iOS 16): one wide ZICCLOUDSYNCINGOBJECT table
 * for every entity (Z_ENT tells them apart; the column list is the real one, ALTER-added columns last), ZICNOTEDATA
 * holding each note's gzip'd protobuf body, Z_PRIMARYKEY with each entity's highest Z_PK. A note's title is
 * ZTITLE1, creation date ZCREATIONDATE3, modification date ZMODIFICATIONDATE1, folder ZFOLDER, account ZACCOUNT7;
 * a folder's name is ZTITLE2, its account ZOWNER, ZFOLDERTYPE 1 marks Recently Deleted; an account's name is ZNAME.
 */
export const NOTE_STORE_SCHEMA = `
CREATE TABLE ZICCLOUDSYNCINGOBJECT (
  Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCRYPTOITERATIONCOUNT INTEGER,
  ZISPASSWORDPROTECTED INTEGER, ZISSHAREDIRTY INTEGER, ZMARKEDFORDELETION INTEGER,
  ZMINIMUMSUPPORTEDNOTESVERSION INTEGER, ZNEEDSINITIALFETCHFROMCLOUD INTEGER, ZNEEDSTOBEFETCHEDFROMCLOUD INTEGER,
  ZNEEDSTOSAVEUSERSPECIFICRECORD INTEGER, ZCLOUDSTATE INTEGER, ZINVITATION INTEGER, ZLOCKEDNOTESMODE INTEGER,
  ZACCOUNT INTEGER, ZCHECKEDFORLOCATION INTEGER, ZFILESIZE INTEGER, ZHANDWRITINGSUMMARYVERSION INTEGER,
  ZHASMARKUPDATA INTEGER, ZIMAGECLASSIFICATIONSUMMARYVERSION INTEGER, ZIMAGEFILTERTYPE INTEGER,
  ZNEEDSINITIALRELATIONSHIPSETUP INTEGER, ZOCRSUMMARYVERSION INTEGER, ZORIENTATION INTEGER, ZSECTION INTEGER,
  ZURLEXPIRED INTEGER, ZACCOUNT1 INTEGER, ZLOCATION INTEGER, ZMEDIA INTEGER, ZNOTE INTEGER,
  ZNOTEUSINGTITLEFORNOTETITLE INTEGER, ZPARENTATTACHMENT INTEGER, ZAPPEARANCETYPE INTEGER,
  ZSCALEWHENDRAWING INTEGER, ZVERSION INTEGER, ZVERSIONOUTOFDATE INTEGER, ZATTACHMENT INTEGER, ZSTATE INTEGER,
  ZACCOUNT2 INTEGER, ZACCOUNT3 INTEGER, ZMENTIONNOTIFICATIONATTEMPTCOUNT INTEGER,
  ZMENTIONNOTIFICATIONSTATE INTEGER, ZACCOUNT4 INTEGER, ZNOTE1 INTEGER, ZPARENTATTACHMENT1 INTEGER,
  ZTYPE INTEGER, ZACCOUNT5 INTEGER, ZACCOUNT6 INTEGER, ZATTACHMENT1 INTEGER, ZATTACHMENTVIEWTYPE INTEGER,
  ZHASCHECKLIST INTEGER, ZHASCHECKLISTINPROGRESS INTEGER, ZISPINNED INTEGER, ZISSYSTEMPAPER INTEGER,
  ZLEGACYNOTEWASPLAINTEXT INTEGER, ZNOTEHASCHANGES INTEGER, ZPAPERSTYLETYPE INTEGER,
  ZPREFERREDBACKGROUNDTYPE INTEGER, ZACCOUNT7 INTEGER, ZFOLDER INTEGER, ZNOTEDATA INTEGER,
  ZTITLESOURCEATTACHMENT INTEGER, ZDATEHEADERSTYPE INTEGER, ZISHIDDENNOTECONTAINER INTEGER, ZSORTORDER INTEGER,
  ZOWNER INTEGER, ZACCOUNTTYPE INTEGER, ZDIDCHOOSETOMIGRATE INTEGER, ZDIDFINISHMIGRATION INTEGER,
  ZDIDMIGRATEONMAC INTEGER, ZSERVERSIDEUPDATETASKFAILURECOUNT INTEGER, ZSTOREDATASEPARATELY INTEGER,
  ZACCOUNTDATA INTEGER, ZCUSTOMNOTESORTTYPEVALUE INTEGER, ZFOLDERTYPE INTEGER, ZIMPORTEDFROMLEGACY INTEGER,
  ZACCOUNT8 INTEGER, ZPARENT INTEGER, ZCREATIONDATE TIMESTAMP, ZCROPPINGQUADBOTTOMLEFTX FLOAT,
  ZCROPPINGQUADBOTTOMLEFTY FLOAT, ZCROPPINGQUADBOTTOMRIGHTX FLOAT, ZCROPPINGQUADBOTTOMRIGHTY FLOAT,
  ZCROPPINGQUADTOPLEFTX FLOAT, ZCROPPINGQUADTOPLEFTY FLOAT, ZCROPPINGQUADTOPRIGHTX FLOAT,
  ZCROPPINGQUADTOPRIGHTY FLOAT, ZDURATION FLOAT, ZMODIFICATIONDATE TIMESTAMP, ZORIGINX FLOAT, ZORIGINY FLOAT,
  ZPREVIEWUPDATEDATE TIMESTAMP, ZSIZEHEIGHT FLOAT, ZSIZEWIDTH FLOAT, ZHEIGHT FLOAT, ZMODIFIEDDATE TIMESTAMP,
  ZSCALE FLOAT, ZWIDTH FLOAT, ZSTATEMODIFICATIONDATE TIMESTAMP, ZCREATIONDATE1 TIMESTAMP,
  ZCREATIONDATE2 TIMESTAMP, ZMODIFICATIONDATEATIMPORT TIMESTAMP, ZCREATIONDATE3 TIMESTAMP,
  ZFOLDERMODIFICATIONDATE TIMESTAMP, ZLASTACTIVITYRECENTUPDATESVIEWEDDATE TIMESTAMP,
  ZLASTACTIVITYSUMMARYVIEWEDDATE TIMESTAMP, ZLASTATTRIBUTIONSVIEWEDDATE TIMESTAMP, ZLASTNOTIFIEDDATE TIMESTAMP,
  ZLASTOPENEDDATE TIMESTAMP, ZLASTVIEWEDMODIFICATIONDATE TIMESTAMP, ZLEGACYMODIFICATIONDATEATIMPORT TIMESTAMP,
  ZMODIFICATIONDATE1 TIMESTAMP, ZCUSTOMNOTESORTTYPEMODIFICATIONDATE TIMESTAMP,
  ZDATEFORLASTTITLEMODIFICATION TIMESTAMP, ZPARENTMODIFICATIONDATE TIMESTAMP, ZIDENTIFIER VARCHAR,
  ZPASSWORDHINT VARCHAR, ZZONEOWNERNAME VARCHAR, ZADDITIONALINDEXABLETEXT VARCHAR, ZFALLBACKSUBTITLEIOS VARCHAR,
  ZFALLBACKSUBTITLEMAC VARCHAR, ZFALLBACKTITLE VARCHAR, ZHANDWRITINGSUMMARY VARCHAR,
  ZIMAGECLASSIFICATIONSUMMARY VARCHAR, ZOCRSUMMARY VARCHAR, ZREMOTEFILEURLSTRING VARCHAR, ZSUMMARY VARCHAR,
  ZTITLE VARCHAR, ZTYPEUTI VARCHAR, ZURLSTRING VARCHAR, ZUSERTITLE VARCHAR, ZDEVICEIDENTIFIER VARCHAR,
  ZDISPLAYTEXT VARCHAR, ZSTANDARDIZEDCONTENT VARCHAR, ZALTTEXT VARCHAR, ZTOKENCONTENTIDENTIFIER VARCHAR,
  ZTYPEUTI1 VARCHAR, ZCONTENTHASHATIMPORT VARCHAR, ZFILENAME VARCHAR, ZLEGACYCONTENTHASHATIMPORT VARCHAR,
  ZLEGACYIMPORTDEVICEIDENTIFIER VARCHAR, ZLEGACYMANAGEDOBJECTIDURIREPRESENTATION VARCHAR,
  ZSELECTEDINKCOLORSTRING VARCHAR, ZSELECTEDINKIDENTIFIER VARCHAR, ZSNIPPET VARCHAR,
  ZTHUMBNAILATTACHMENTIDENTIFIER VARCHAR, ZTITLE1 VARCHAR, ZACCOUNTNAMEFORACCOUNTLISTSORTING VARCHAR,
  ZNESTEDTITLEFORSORTING VARCHAR, ZNAME VARCHAR, ZSERVERSIDEUPDATETASKLASTATTEMPTEDBUILD VARCHAR,
  ZSERVERSIDEUPDATETASKLASTATTEMPTEDVERSION VARCHAR, ZSERVERSIDEUPDATETASKLASTCOMPLETEDBUILD VARCHAR,
  ZSERVERSIDEUPDATETASKLASTCOMPLETEDVERSION VARCHAR, ZUSERRECORDNAME VARCHAR, ZSMARTFOLDERQUERYJSON VARCHAR,
  ZTITLE2 VARCHAR, ZREPLICAIDTOBUNDLEIDENTIFIER BLOB, ZACTIVITYEVENTSDATA BLOB,
  ZASSETCRYPTOINITIALIZATIONVECTOR BLOB, ZASSETCRYPTOTAG BLOB, ZCRYPTOINITIALIZATIONVECTOR BLOB,
  ZCRYPTOSALT BLOB, ZCRYPTOTAG BLOB, ZCRYPTOWRAPPEDKEY BLOB, ZENCRYPTEDVALUESJSON BLOB,
  ZREPLICAIDTONOTESVERSIONDATA BLOB, ZSERVERRECORDDATA BLOB, ZSERVERSHAREDATA BLOB,
  ZUNAPPLIEDENCRYPTEDRECORD BLOB, ZUSERSPECIFICSERVERRECORDDATA BLOB, ZMERGEABLEDATA BLOB,
  ZFALLBACKIMAGECRYPTOINITIALIZATIONVECTOR BLOB, ZFALLBACKIMAGECRYPTOTAG BLOB,
  ZLINKPRESENTATIONARCHIVEDMETADATA BLOB, ZMARKUPMODELDATA BLOB, ZMERGEABLEDATA1 BLOB, ZMETADATADATA BLOB,
  ZSYNAPSEDATA BLOB, ZCRYPTOMETADATAINITIALIZATIONVECTOR BLOB, ZCRYPTOMETADATATAG BLOB, ZENCRYPTEDMETADATA BLOB,
  ZMETADATA BLOB, ZLASTNOTIFIEDTIMESTAMPDATA BLOB, ZLASTVIEWEDTIMESTAMPDATA BLOB,
  ZREPLICAIDTOUSERIDDICTDATA BLOB, ZCRYPTOVERIFIER BLOB, ZSERVERSIDEUPDATETASKCONTINUATIONTOKEN BLOB,
  ZMERGEABLEDATA2 BLOB, ZGENERATION VARCHAR, ZLASTSYNCDATE TIMESTAMP, ZPAPERBUNDLEGENERATION VARCHAR,
  ZFALLBACKPDFCRYPTOTAG BLOB, ZGENERATION1 VARCHAR, ZFALLBACKIMAGEGENERATION VARCHAR, ZSUPPORTSV1NEO INTEGER,
  ZWIDGETSNIPPET VARCHAR, ZCRYPTOPASSPHRASEVERIFIER BLOB, ZFALLBACKPDFCRYPTOINITIALIZATIONVECTOR BLOB,
  ZMERGEABLEPREFERREDVIEWSIZE BLOB, ZFALLBACKPDFGENERATION VARCHAR);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZACCOUNT7_INDEX ON ZICCLOUDSYNCINGOBJECT (ZACCOUNT7);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZFOLDER_INDEX ON ZICCLOUDSYNCINGOBJECT (ZFOLDER);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZMEDIA_INDEX ON ZICCLOUDSYNCINGOBJECT (ZMEDIA);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZNOTE_INDEX ON ZICCLOUDSYNCINGOBJECT (ZNOTE);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZNOTEDATA_INDEX ON ZICCLOUDSYNCINGOBJECT (ZNOTEDATA);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZOWNER_INDEX ON ZICCLOUDSYNCINGOBJECT (ZOWNER);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_ZPARENT_INDEX ON ZICCLOUDSYNCINGOBJECT (ZPARENT);
CREATE INDEX ZICCLOUDSYNCINGOBJECT_Z_ENT_INDEX ON ZICCLOUDSYNCINGOBJECT (Z_ENT);
CREATE UNIQUE INDEX Z_ICCloudSyncingObject_UNIQUE_identifier ON ZICCLOUDSYNCINGOBJECT (ZIDENTIFIER COLLATE BINARY ASC);
CREATE TABLE ZICNOTEDATA ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNOTE INTEGER, ZCRYPTOINITIALIZATIONVECTOR BLOB, ZCRYPTOTAG BLOB, ZDATA BLOB );
CREATE INDEX ZICNOTEDATA_ZNOTE_INDEX ON ZICNOTEDATA (ZNOTE);
CREATE TABLE ZICNOTEPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNOTE INTEGER, ZPARTICIPANTID VARCHAR, ZUSERID VARCHAR );
CREATE TABLE ZICLOCATION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZPLACEUPDATED INTEGER, ZATTACHMENT INTEGER, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZPLACEMARKDATA BLOB );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
`;

/** Z_ENT numbers of the iOS 16/17 model, as Z_PRIMARYKEY lists them (Z_SUPER 2 = ICCloudSyncingObject, 12 =
 * ICNoteContainer). */
const ENTITIES: Array<[number, string, number]> = [
  [1, 'ICCloudState', 0],
  [2, 'ICCloudSyncingObject', 0],
  [3, 'ICAccountData', 2],
  [4, 'ICAttachment', 2],
  [5, 'ICAttachmentPreviewImage', 2],
  [6, 'ICDeviceMigrationState', 2],
  [7, 'ICHashtag', 2],
  [8, 'ICInlineAttachment', 2],
  [9, 'ICLegacyTombstone', 2],
  [10, 'ICMedia', 2],
  [11, 'ICNote', 2],
  [12, 'ICNoteContainer', 2],
  [13, 'ICAccount', 12],
  [14, 'ICFolder', 12],
  [15, 'ICInvitation', 0],
  [16, 'ICLocation', 0],
  [17, 'ICAttachmentLocation', 16],
  [18, 'ICNoteData', 0],
  [19, 'ICNoteParticipant', 0],
  [20, 'ICServerChangeToken', 0],
];
const ENT = { attachment: 4, media: 10, note: 11, account: 13, folder: 14, noteData: 18 } as const;

export interface NoteAccount {
  pk: number;
  name: string;
  /** ZIDENTIFIER: names the account's folder in the backup, `Accounts/<identifier>/`. */
  identifier: string;
  /** ZACCOUNTTYPE: 1 iCloud, 3 On My iPhone. */
  type: number;
}

export interface NoteStoreContent {
  accounts: NoteAccount[];
  folders: TruthNoteFolder[];
  notes: TruthNote[];
  deleted: TruthNote[];
}

const TITLES = [
  'Groceries',
  'Trip ideas ✈️',
  'Meeting notes — Q3',
  'Books to read',
  'Wi-Fi & router',
  'Pancakes <the best>',
  'Gift list "2024"',
  'Übung macht den Meister',
  '# not a heading *really*',
  'Quotes',
];
const LINES = [
  'Call the bank about the card',
  'Bring: passport, charger, adapter',
  'Ask Ana about <b>dinner</b> & "drinks"',
  'Remember the 10% discount code',
  'Emoji test 🍋🥑 done',
  'Price: $12.50 (was $15) [sale]',
  'Use `npm test` before pushing',
  '<script>alert("x")</script>',
  'Snake_case and *stars* stay text',
];
const CHECKS = ['Milk', 'Eggs', 'Flour', 'Book hotel', 'Renew passport', 'Water the plants'];
const BULLETS = ['Lisbon: tram 28', 'Porto: bookshop', 'Sintra: palace', 'Cascais: beach'];
const LINKS = [
  { text: 'the recipe', url: 'https://example.com/recipes/pancakes?x=1&y=2' },
  { text: 'this map', url: 'https://maps.apple.com/?q=Lisboa' },
];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** A minimal one-page PDF: enough for a viewer to open. */
function tinyPdf(label: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n%${label}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    'latin1',
  );
}

interface NotePlan {
  folder: TruthNoteFolder;
  pinned: boolean;
  locked: boolean;
  markedForDeletion: boolean;
  attachment: 'jpeg' | 'pdf' | null;
  long: boolean;
  /** Text a page must show as text: markup, a script, a javascript: link. */
  hostile?: boolean;
}

function paragraphsFor(random: SeededRandom, plan: NotePlan): TruthNoteParagraph[] {
  const paragraphs: TruthNoteParagraph[] = [{ style: 'title', text: random.pick(TITLES) }];
  const first = random.pick(LINES);
  const word = first.split(' ').find((w) => /^[A-Za-z]{4,}$/.test(w));
  paragraphs.push(word ? { style: 'body', text: first, bold: word } : { style: 'body', text: first });
  if (random.chance(0.6)) {
    const link = random.pick(LINKS);
    paragraphs.push({ style: 'body', text: `See ${link.text} later`, link });
  }
  if (plan.attachment) paragraphs.push({ style: 'body', text: 'Attached:' }, { style: 'body', text: '\uFFFC' });
  if (plan.hostile)
    paragraphs.push({
      style: 'body',
      text: '<script>alert("x")</script> & <b>not bold</b> click me',
      link: { text: 'click me', url: 'javascript:alert(1)' },
    });
  if (random.chance(0.6)) {
    paragraphs.push({ style: 'heading', text: 'To do' });
    for (let i = random.int(2, 3); i > 0; i--)
      paragraphs.push({ style: 'checklist', text: random.pick(CHECKS), checked: random.chance(0.5) });
  }
  if (random.chance(0.5))
    for (let i = random.int(1, 3); i > 0; i--)
      paragraphs.push({ style: random.chance(0.5) ? 'bullet' : 'numbered', text: random.pick(BULLETS) });
  if (plan.long) {
    // Long enough that the gzip'd body spills onto overflow pages (several KB of little-compressible text).
    const tokens = Array.from({ length: 900 }, () => `${random.pick(WORDS)}-${random.int(0, 0xffffff).toString(16)}`);
    paragraphs.push({ style: 'body', text: tokens.join(' ') });
  }
  if (random.chance(0.3)) paragraphs.push({ style: 'body', text: '' }, { style: 'body', text: random.pick(LINES) });
  return paragraphs;
}

/**
 * `count` notes over two accounts (iCloud and On My iPhone) and their folders, `deletedCount` more deleted for
 * good. The first live notes have fixed roles: a pinned one with a JPEG (and markup, a script and a javascript:
 * link in its text), a locked one, one in each account's
 * Recently Deleted (the second also ZMARKEDFORDELETION), one with a PDF in the local account, and one long
 * enough for overflow pages; the second deleted note is long too.
 */
export function generateNotes(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  seed: string,
): NoteStoreContent {
  const accounts: NoteAccount[] = [
    { pk: 1, name: 'iCloud', identifier: random.uuid(), type: 1 },
    { pk: 2, name: 'On My iPhone', identifier: 'LocalAccount', type: 3 },
  ];
  const folder = (
    pk: number,
    title: string,
    account: NoteAccount,
    identifier: string,
    trash = false,
    parentPk: number | null = null,
  ): TruthNoteFolder => ({ pk, identifier, title, account: account.name, trash, parentPk });
  const [cloud, local] = accounts as [NoteAccount, NoteAccount];
  const folders = [
    folder(3, 'Notes', cloud, 'DefaultFolder-CloudKit'),
    folder(4, 'Recently Deleted', cloud, 'TrashFolder-CloudKit', true),
    folder(5, 'Recipes', cloud, random.uuid()),
    folder(6, 'Travel', cloud, random.uuid()),
    folder(7, 'Lisbon 2024', cloud, random.uuid(), false, 6),
    folder(8, 'Notes', local, 'DefaultFolder-LocalAccount'),
    folder(9, 'Recently Deleted', local, 'TrashFolder-LocalAccount', true),
  ];
  const byPk = (pk: number): TruthNoteFolder => folders.find((f) => f.pk === pk)!;
  const ordinary = folders.filter((f) => !f.trash);
  const plain = (f: TruthNoteFolder): NotePlan => ({
    folder: f,
    pinned: false,
    locked: false,
    markedForDeletion: false,
    attachment: null,
    long: false,
  });
  const roles: NotePlan[] = [
    { ...plain(byPk(3)), pinned: true, attachment: 'jpeg', hostile: true },
    { ...plain(byPk(3)), locked: true },
    plain(byPk(4)),
    { ...plain(byPk(9)), markedForDeletion: true },
    { ...plain(byPk(8)), attachment: 'pdf' },
    { ...plain(byPk(7)), long: true },
  ];
  const plans: Array<{ plan: NotePlan; deleted: boolean }> = [];
  for (let i = 0; i < count; i++) plans.push({ plan: roles[i] ?? plain(random.pick(ordinary)), deleted: false });
  for (let i = 0; i < deletedCount; i++)
    plans.push({ plan: { ...plain(random.pick(ordinary)), long: i === 1 }, deleted: true });
  // Created in a random order, so deleted rows sit between live ones in the pages.
  for (let i = plans.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [plans[i], plans[j]] = [plans[j]!, plans[i]!];
  }

  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const notes: TruthNote[] = [];
  const deleted: TruthNote[] = [];
  let pk = 20;
  let noteDataPk = 1;
  for (const { plan, deleted: isDeleted } of plans) {
    const account = accounts.find((a) => a.name === plan.folder.account)!;
    const created = new Date(start + Math.floor(random.next() * span));
    const modified = new Date(created.getTime() + random.int(0, 20 * 86_400_000));
    const notePk = pk++;
    const paragraphs = paragraphsFor(random, plan);
    const attachments: TruthNoteAttachment[] = [];
    if (plan.attachment) {
      const mediaIdentifier = random.uuid();
      const generation = random.uuid();
      const filename =
        plan.attachment === 'jpeg' ? `IMG_${random.int(1000, 9999)}.jpeg` : `Scan ${random.int(1, 40)}.pdf`;
      const data =
        plan.attachment === 'jpeg'
          ? tinyJpeg({
              rgb: [random.int(0, 255), random.int(0, 255), random.int(0, 255)],
              blocksWide: 2,
              blocksHigh: 2,
              comment: `${seed}:note:${notePk}`,
            })
          : tinyPdf(`${seed}:note:${notePk}`);
      attachments.push({
        pk: pk++,
        identifier: random.uuid(),
        uti: plan.attachment === 'jpeg' ? 'public.jpeg' : 'com.adobe.pdf',
        mediaPk: pk++,
        mediaIdentifier,
        filename,
        generation,
        domain: NOTES_DOMAIN,
        relativePath: `Accounts/${account.identifier}/Media/${mediaIdentifier}/${generation}/${filename}`,
        data,
        created: new Date(created.getTime() + 60_000),
        modified: new Date(created.getTime() + 120_000),
      });
    }
    const text = plan.locked ? null : paragraphs.map((p) => p.text).join('\n');
    const note: TruthNote = {
      pk: notePk,
      identifier: random.uuid(),
      noteDataPk: noteDataPk++,
      account: account.name,
      folderPk: plan.folder.pk,
      folder: plan.folder.title,
      title: paragraphs[0]!.text,
      snippet: plan.locked
        ? null
        : (paragraphs.slice(1).find((p) => p.text.replace(/\uFFFC/g, '').trim() !== '')?.text ?? null),
      paragraphs: plan.locked ? [] : paragraphs,
      text,
      created,
      modified,
      pinned: plan.pinned,
      locked: plan.locked,
      recentlyDeleted: plan.folder.trash,
      markedForDeletion: plan.markedForDeletion,
      attachments,
    };
    (isDeleted ? deleted : notes).push(note);
  }
  return { accounts, folders, notes, deleted };
}

/** Bytes standing in for a locked note's ciphertext (its real ZDATA is an encrypted archive too). */
function ciphertext(note: TruthNote): Buffer {
  const random = new SeededRandom(`locked:${note.identifier}`);
  return Buffer.concat([Buffer.from('bplist00'), Buffer.from(Array.from({ length: 600 }, () => random.int(0, 255)))]);
}

/**
 * How NoteStore.sqlite's columns moved across iOS versions (Core Data numbers a column when several entities share a
 * name, and each new entity renumbers them): the note's account ZACCOUNT2 (iOS 9–12), ZACCOUNT3 (13–14), ZACCOUNT4
 * (15), ZACCOUNT7 (16+); its creation date ZCREATIONDATE1 until iOS 14, ZCREATIONDATE3 from 15; iOS 11 kept a note's
 * folder in a join table `Z_11NOTES (Z_11FOLDERS, Z_8NOTES)` instead of ZFOLDER; pinning came with iOS 11 (ZISPINNED).
 * Facts from Apple Cloud Notes Parser's version handling and the column lists it documents; see
 * native-notes/ios-schemas/notes.md.
 */
export interface NoteStoreGeneration {
  account: string;
  created: string;
  folderJoinTable: boolean;
  pinned: boolean;
  /** Columns of the newest schema this version does not have. */
  absent: string[];
}

export function noteStoreGeneration(ios: number): NoteStoreGeneration {
  const newer = ['ZACCOUNT5', 'ZACCOUNT6', 'ZACCOUNT7', 'ZACCOUNT8'];
  if (ios >= 16)
    return { account: 'ZACCOUNT7', created: 'ZCREATIONDATE3', folderJoinTable: false, pinned: true, absent: [] };
  if (ios === 15)
    return { account: 'ZACCOUNT4', created: 'ZCREATIONDATE3', folderJoinTable: false, pinned: true, absent: newer };
  const before15 = [...newer, 'ZACCOUNT4', 'ZCREATIONDATE3'];
  if (ios >= 13)
    return { account: 'ZACCOUNT3', created: 'ZCREATIONDATE1', folderJoinTable: false, pinned: true, absent: before15 };
  const before13 = [...before15, 'ZACCOUNT3'];
  if (ios === 12)
    return { account: 'ZACCOUNT2', created: 'ZCREATIONDATE1', folderJoinTable: false, pinned: true, absent: before13 };
  if (ios === 11)
    return {
      account: 'ZACCOUNT2',
      created: 'ZCREATIONDATE1',
      folderJoinTable: true,
      pinned: true,
      absent: [...before13, 'ZFOLDER'],
    };
  return {
    account: 'ZACCOUNT2',
    created: 'ZCREATIONDATE1',
    folderJoinTable: false,
    pinned: false,
    absent: [...before13, 'ZISPINNED'],
  };
}

/** The newest schema less the columns (and their indexes) a version lacks; iOS 11's folder join table added. */
function noteStoreSchema(generation: NoteStoreGeneration): string {
  let schema = NOTE_STORE_SCHEMA;
  for (const column of generation.absent) {
    schema = schema.replace(new RegExp(`\\b${column} (INTEGER|TIMESTAMP|VARCHAR|BLOB|FLOAT),\\s*`), '');
    schema = schema.replace(new RegExp(`CREATE INDEX ZICCLOUDSYNCINGOBJECT_${column}_INDEX [^;]*;\\n`), '');
  }
  // The newest schema indexes ZACCOUNT7; an older one the account column it has.
  if (generation.account !== 'ZACCOUNT7')
    schema += `CREATE INDEX ZICCLOUDSYNCINGOBJECT_${generation.account}_INDEX ON ZICCLOUDSYNCINGOBJECT (${generation.account});\n`;
  if (generation.folderJoinTable)
    schema += 'CREATE TABLE Z_11NOTES (Z_11FOLDERS INTEGER, Z_8NOTES INTEGER, PRIMARY KEY (Z_11FOLDERS, Z_8NOTES));\n';
  return schema;
}

/** A notebook as a NoteStore of `ios` can hold it: no pins before iOS 11. The truth the extractor is compared with. */
export function notebookForVersion(content: NoteStoreContent, ios: number): NoteStoreContent {
  if (noteStoreGeneration(ios).pinned) return content;
  const unpinned = (n: TruthNote): TruthNote => ({ ...n, pinned: false });
  return { ...content, notes: content.notes.map(unpinned), deleted: content.deleted.map(unpinned) };
}

export function buildNoteStoreDb(content: NoteStoreContent, iosVersion: number = NEWEST_IOS): SqliteImage {
  const all = [...content.notes, ...content.deleted].sort((a, b) => a.pk - b.pk);
  const accountOf = (name: string): NoteAccount => content.accounts.find((a) => a.name === name)!;
  const maxPk = Math.max(20, ...all.flatMap((n) => [n.pk, ...n.attachments.map((a) => a.mediaPk)]));
  const gen = noteStoreGeneration(iosVersion);
  return buildSqliteImage({
    schema: noteStoreSchema(gen),
    fill(db) {
      const account = db.prepare(
        'INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZIDENTIFIER, ZNAME, ZACCOUNTTYPE, ZMARKEDFORDELETION, ZDIDCHOOSETOMIGRATE, ZDIDFINISHMIGRATION) VALUES (?, ?, 1, ?, ?, ?, 0, 1, 1)',
      );
      for (const a of content.accounts) account.run(a.pk, ENT.account, a.identifier, a.name, a.type);
      const folder = db.prepare(
        'INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZIDENTIFIER, ZTITLE2, ZOWNER, ZFOLDERTYPE, ZPARENT, ZMARKEDFORDELETION, ZSORTORDER) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 0, 0)',
      );
      for (const f of content.folders)
        folder.run(f.pk, ENT.folder, f.identifier, f.title, accountOf(f.account).pk, f.trash ? 1 : 0, f.parentPk);
      // A note's folder goes in ZFOLDER, or in iOS 11's join table; its pin in ZISPINNED where the version has it.
      const insertNote = db.prepare(
        `INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZIDENTIFIER, ZTITLE1, ZSNIPPET, ${gen.created}, ZMODIFICATIONDATE1, ${gen.account},
           ZNOTEDATA, ZISPASSWORDPROTECTED, ZMARKEDFORDELETION, ZHASCHECKLIST, ZLEGACYNOTEWASPLAINTEXT, ZPAPERSTYLETYPE,
           ZCRYPTOITERATIONCOUNT, ZCRYPTOSALT, ZCRYPTOWRAPPEDKEY, ZPASSWORDHINT)
         VALUES (?, ${ENT.note}, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)`,
      );
      const setFolder = gen.folderJoinTable
        ? db.prepare('INSERT INTO Z_11NOTES (Z_11FOLDERS, Z_8NOTES) VALUES (?, ?)')
        : db.prepare('UPDATE ZICCLOUDSYNCINGOBJECT SET ZFOLDER = ? WHERE Z_PK = ?');
      const setPinned = gen.pinned
        ? db.prepare('UPDATE ZICCLOUDSYNCINGOBJECT SET ZISPINNED = ? WHERE Z_PK = ?')
        : undefined;
      const note = {
        run(
          pk: number,
          identifier: string,
          title: string,
          snippet: string | null,
          created: number,
          modified: number,
          folder: number,
          account: number,
          noteData: number,
          pinned: number,
          ...rest: unknown[]
        ): void {
          insertNote.run(pk, identifier, title, snippet, created, modified, account, noteData, ...rest);
          setFolder.run(folder, pk);
          setPinned?.run(pinned, pk);
        },
      };
      const data = db.prepare(
        `INSERT INTO ZICNOTEDATA (Z_PK, Z_ENT, Z_OPT, ZNOTE, ZCRYPTOINITIALIZATIONVECTOR, ZCRYPTOTAG, ZDATA) VALUES (?, ${ENT.noteData}, 1, ?, ?, ?, ?)`,
      );
      const attachment = db.prepare(
        `INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZIDENTIFIER, ZTYPEUTI, ZNOTE, ZMEDIA, ZCREATIONDATE, ZMODIFICATIONDATE, ZTITLE, ZFILESIZE, ZMARKEDFORDELETION) VALUES (?, ${ENT.attachment}, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      );
      const media = db.prepare(
        `INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZIDENTIFIER, ZFILENAME, ZGENERATION1, ZATTACHMENT, ZMARKEDFORDELETION) VALUES (?, ${ENT.media}, 1, ?, ?, ?, ?, 0)`,
      );
      for (const n of all) {
        const checklistUuid = (index: number): Buffer =>
          Buffer.from(new SeededRandom(`${n.identifier}:${index}`).uuid().replace(/-/g, ''), 'hex');
        const refs = new Map<number, { identifier: string; uti: string }>();
        let at = n.text?.indexOf('\uFFFC') ?? -1;
        for (const a of n.attachments) {
          if (at === -1) break;
          refs.set(at, { identifier: a.identifier, uti: a.uti });
          at = n.text!.indexOf('\uFFFC', at + 1);
        }
        const salt = n.locked ? ciphertext(n).subarray(8, 24) : null;
        note.run(
          n.pk,
          n.identifier,
          n.title,
          n.snippet,
          toAppleSeconds(n.created),
          toAppleSeconds(n.modified),
          n.folderPk,
          accountOf(n.account).pk,
          n.noteDataPk,
          n.pinned ? 1 : 0,
          n.locked ? 1 : 0,
          n.markedForDeletion ? 1 : 0,
          n.paragraphs.some((p) => p.style === 'checklist') ? 1 : 0,
          n.locked ? 20000 : null,
          salt,
          n.locked ? ciphertext(n).subarray(24, 64) : null,
          n.locked ? 'the usual one' : null,
        );
        data.run(
          n.noteDataPk,
          n.pk,
          n.locked ? ciphertext(n).subarray(64, 80) : null,
          n.locked ? ciphertext(n).subarray(80, 96) : null,
          n.locked ? ciphertext(n) : noteStoreData(n.paragraphs, refs, checklistUuid),
        );
        for (const a of n.attachments) {
          attachment.run(
            a.pk,
            a.identifier,
            a.uti,
            n.pk,
            a.mediaPk,
            toAppleSeconds(a.created),
            toAppleSeconds(a.modified),
            a.filename,
            a.data.length,
          );
          media.run(a.mediaPk, a.mediaIdentifier, a.filename, a.generation, a.pk);
        }
      }
      const maxData = all.reduce((m, n) => Math.max(m, n.noteDataPk), 0);
      const primaryKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, ?, ?)');
      for (const [ent, name, parent] of ENTITIES)
        primaryKey.run(
          ent,
          name,
          parent,
          name === 'ICCloudSyncingObject' ? maxPk : name === 'ICNoteData' ? maxData : 0,
        );
      db.prepare("INSERT INTO Z_METADATA VALUES (1, 'F0A1B2C3-D4E5-4F60-8A9B-1C2D3E4F5A6B', NULL)").run();
    },
    remove(db) {
      const note = db.prepare('DELETE FROM ZICCLOUDSYNCINGOBJECT WHERE Z_PK = ?');
      const data = db.prepare('DELETE FROM ZICNOTEDATA WHERE Z_PK = ?');
      const join = gen.folderJoinTable ? db.prepare('DELETE FROM Z_11NOTES WHERE Z_8NOTES = ?') : undefined;
      for (const n of content.deleted) {
        note.run(n.pk);
        data.run(n.noteDataPk);
        join?.run(n.pk);
      }
    },
  });
}

/** The folders the attachments sit in (`Accounts/<account>/Media/<media>/<generation>`), each level once, as a backup
 * lists them. */
export function noteMediaFolders(content: NoteStoreContent): string[] {
  const folders = new Set<string>();
  for (const note of content.notes) {
    for (const a of note.attachments) {
      const parts = a.relativePath.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join('/'));
    }
  }
  return [...folders];
}
