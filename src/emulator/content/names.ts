/** Word pools for generated people and conversations. Some entries carry characters that break naive CSV/HTML/vCard
 * writers on purpose. */
export const FIRST_NAMES = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Hugo',
  'Zoë',
  'Mateo',
  'Amélie',
  'Jonas',
  'Sofia',
  'Arjun',
  'Yuki',
  'Chloé',
  'Oskar',
  'Nadia',
  'Kwame',
  'Leïla',
  'Sven',
  'Ana',
  'Björn',
  'Fatima',
  'Diego',
  'Ines',
  'Tomás',
  'Grace',
] as const;

export const LAST_NAMES = [
  'Martin',
  'Smith',
  "O'Brien",
  'García',
  'Müller',
  'Rossi',
  'Nguyen',
  'Kowalski',
  'Dubois',
  'Tanaka',
  'Johansson',
  'Silva',
  'Okafor',
  'Novák',
  'Haddad',
  'Fischer',
  'Van der Berg',
  'Lefèvre',
  'Patel',
  'Andersen',
  'Moreau',
  'Kim',
] as const;

export const COMPANIES = [
  'Acme, Inc.',
  'Globex',
  'Initech',
  'Umbrella; Research',
  'Stark Industries',
  'Hooli',
  'Nakatomi Trading',
] as const;

export const JOB_TITLES = ['Engineer', 'Nurse', 'Teacher', 'Architect', 'Chef', 'Pilot', 'Designer'] as const;

export const CITIES = [
  { city: 'Paris', state: '', zip: '75011', country: 'France', countryCode: 'fr' },
  { city: 'Cupertino', state: 'CA', zip: '95014', country: 'United States', countryCode: 'us' },
  { city: 'München', state: 'BY', zip: '80331', country: 'Germany', countryCode: 'de' },
  { city: 'Kyoto', state: '', zip: '600-8216', country: 'Japan', countryCode: 'jp' },
] as const;

export const STREETS = ['12 Rue Oberkampf', '1 Infinite Loop', 'Marienplatz 8', '3-1 Higashi, Apt. 4'] as const;

export const PHRASES = [
  'Are you around later?',
  'On my way 🚗',
  'Thanks!',
  'Can you call me when you get this',
  'lol',
  'See you at 7',
  'Running late, sorry',
  'Did you see the game last night?',
  'ok 👍',
  'Happy birthday!! 🎉🎂',
  'Where are the keys?',
  'Bring the charger, mine died',
  'Meeting moved to "room 4", 3pm',
  'a, b, and c',
  'Line one\nline two',
  '<b>not bold</b> & <script>alert(1)</script>',
  'Ça marche, à demain',
  'Gute Nacht',
  '明日は雨です',
  'Привет!',
] as const;

export const GROUP_NAMES = ['Family 🏡', 'Weekend trip', 'Book club', null, null] as const;

export const PHONE_LABELS = ['Mobile', 'iPhone', 'Home', 'Work', 'Main', 'Pager', 'Signal'] as const;
export const EMAIL_LABELS = ['Home', 'Work', 'Other', 'School'] as const;
