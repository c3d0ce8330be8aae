/** The word lists generated names, titles, options and places are drawn from. */
export const FIRST_NAMES = [
  'Ada', 'Ben', 'Chloé', 'Dmitri', 'Elena', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Jun', 'Kemal', 'Leila', 'Mateo',
  'Nia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoë',
  'Amara', 'Bruno', 'Camille', 'Diego', 'Emeka', 'Freya', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Lars',
  'Maya', 'Noah',
] as const;
export const LAST_NAMES = [
  'Lovelace', 'Okafor', 'Dubois', 'Petrov', 'García', 'Haddad', 'Silva', 'Sato', 'Novak', 'Chen', 'Yılmaz',
  'Rahimi', 'Rossi', 'Mensah', 'Lindqvist', 'Patel', 'Moreau', 'Kowalski', 'Berg', 'Fernández', 'Iyer', 'Horvat',
  'Li', 'Ortega', 'Aziz', 'Müller', 'Nakamura', "O'Brien", 'Schmidt', 'Tanaka', 'Nguyen', 'Kim', 'Andersen',
  'Costa', 'Eze', 'Fischer', 'Gomez', 'Ivanova', 'Jensen', 'Kaur',
] as const;
export const BOT_NAMES = ['Notion Stream', 'Zapier'] as const;

export const VERBS = [
  'Migrate', 'Refactor', 'Design', 'Launch', 'Audit', 'Document', 'Prototype', 'Review', 'Ship', 'Plan', 'Fix',
  'Benchmark', 'Automate', 'Localize', 'Deprecate', 'Draft', 'Test', 'Scale', 'Onboard', 'Archive',
] as const;
export const ADJECTIVES = [
  'legacy', 'quarterly', 'mobile', 'customer', 'internal', 'billing', 'search', 'analytics', 'security',
  'checkout', 'partner', 'marketing', 'realtime', 'offline', 'enterprise', 'beta', 'regional', 'public',
] as const;
export const NOUNS = [
  'dashboard', 'roadmap', 'onboarding flow', 'API', 'pipeline', 'landing page', 'report', 'pricing page', 'SDK',
  'data model', 'release notes', 'design system', 'export', 'integration', 'survey', 'newsletter', 'runbook',
  'sync job', 'help center', 'webhook',
] as const;
export const FLAVOURS = [
  '', '', '', '', '', '', '', '', ' — phase 2', ' (v2)', ' & follow-ups', ': “quick win”', ' ✅', ' 🚀',
  ' für Q3', ' — café edition', ' 日本語', ' #42',
] as const;
export const SENTENCES = [
  'Waiting on legal review before we can publish.',
  'Scope agreed with the stakeholders last week.',
  'Needs a second pair of eyes on the numbers.',
  'Blocked by the vendor contract renewal.',
  'Metrics look healthy; keep monitoring for a sprint.',
  'Split into smaller tickets if it grows.',
  'Customer feedback was overwhelmingly positive.',
  'See the linked spec for the edge cases.',
  'Rollout is behind a feature flag.',
  'Résumé of the kickoff: ship small, ship often.',
  'Line one\nline two of a multi-line note.',
  'Quotes "double" and \'single\', commas, and a tab\there.',
] as const;
export const TAGS: ReadonlyArray<readonly [string, string]> = [
  ['Frontend', 'blue'], ['Backend', 'purple'], ['Infra', 'gray'], ['Design', 'pink'], ['Research', 'yellow'],
  ['Urgent', 'red'], ['Customer', 'green'], ['Docs', 'brown'], ['Q&A', 'orange'],
];
export const PRIORITIES: ReadonlyArray<readonly [string, string]> = [
  ['Low', 'gray'], ['Medium', 'yellow'], ['High', 'orange'], ['Urgent', 'red'],
];
export const STATUSES: ReadonlyArray<readonly [string, string, string]> = [
  // name, color, group
  ['Not started', 'default', 'To-do'],
  ['In progress', 'blue', 'In progress'],
  ['Blocked', 'red', 'In progress'],
  ['In review', 'purple', 'In progress'],
  ['Done', 'green', 'Complete'],
];
export const STATUS_GROUPS: ReadonlyArray<readonly [string, string]> = [
  ['To-do', 'gray'], ['In progress', 'blue'], ['Complete', 'green'],
];
export const CATEGORIES: ReadonlyArray<readonly [string, string]> = [
  ['Alpha', 'blue'], ['Beta', 'green'], ['Gamma', 'orange'], ['Delta', 'purple'], ['Epsilon', 'default'],
];
export const PLACES: ReadonlyArray<{ lat: number; lon: number; name: string; address: string }> = [
  { lat: 37.7749295, lon: -122.4194155, name: 'San Francisco', address: 'San Francisco, CA, USA' },
  { lat: 40.7127753, lon: -74.0059728, name: 'Notion HQ East', address: '45 W 18th St, New York, NY 10011, USA' },
  { lat: 51.5072178, lon: -0.1275862, name: 'London', address: 'London, UK' },
  { lat: 35.6761919, lon: 139.6503106, name: '東京オフィス', address: 'Shibuya City, Tokyo, Japan' },
  { lat: 52.5200066, lon: 13.404954, name: 'Berlin Büro', address: 'Berlin, Germany' },
  { lat: -33.8688197, lon: 151.2092955, name: 'Sydney', address: 'Sydney NSW, Australia' },
  { lat: -23.5557714, lon: -46.6395571, name: 'São Paulo', address: 'São Paulo, SP, Brazil' },
];
export const TIME_ZONES: ReadonlyArray<readonly [string, number]> = [
  ['Asia/Tokyo', 540], ['Asia/Kolkata', 330], ['America/Sao_Paulo', -180], ['UTC', 0], ['Asia/Dubai', 240],
];
export const OFFSETS = [0, 60, 120, -300, -420, 330, 540] as const;
export const EMOJI = ['🚀', '📌', '🧭', '🛠️', '📈', '🗂️', '✨', '🧪'] as const;
export const FILE_NAMES = ['spec.pdf', 'mockup.png', 'budget.xlsx', 'notes.md', 'demo video.mp4', 'Résumé.docx'] as const;
