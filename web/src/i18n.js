// i18n.js — Swedish and English texts of the dashboard; the choice is kept
// in localStorage ('samlast.lang').
export const TEXT = {
  sv: {
    skip: 'Hoppa till innehållet', nav_overview: 'Översikt', nav_map: 'Karta', nav_deliveries: 'Leveranser',
    nav_suppliers: 'Leverantörer', nav_units: 'Enheter', nav_upload: 'Ladda upp', nav_board: 'Samlastning', nav_ordering: 'Beställningsdagar', nav_followup: 'Uppföljning', language: 'Språk',
    logout: 'Logga ut', login_title: 'Logga in', token: 'API-nyckel (token)', login: 'Logga in',
    public: 'Fortsätt utan nyckel (öppna data)', overview: 'Översikt', period: 'Period',
    weekly: 'Per vecka', baseline: 'Baslinje (första 4 veckorna)', map_title: 'Mottagande enheter',
    map_note: 'Cirkelns yta motsvarar antalet leveranser.', deliveries_title: 'Leveranser',
    supplier: 'Leverantör', site: 'Enhet (plats)', from: 'Från', to: 'Till', filter: 'Filtrera',
    csv: 'Ladda ner CSV', more: 'Visa fler', suppliers_title: 'Leverantörer', scorecard: 'Resultatkort',
    units_title: 'Enheter', unit: 'Enhet', upload_title: 'Ladda upp data', kind: 'Typ', file: 'Fil (CSV eller JSON)',
    accept_valid: 'Importera giltiga rader även om andra är fel', send: 'Skicka', line: 'Rad', column: 'Kolumn',
    field: 'Fält', reason: 'Fel', imported: 'Importerat', rejected: 'Avvisat – inget importerades',
    denied: 'Din nyckel ger inte tillgång till detta.', suppressed: 'dolt (färre än 3 leverantörer)',
    none: 'Inga rader.', role: 'Roll', emissions: 'Utsläpp (ISO 14083, well-to-wheel)', by_energy_carrier: 'Energibärare', by_vehicle_class: 'Fordonsklass',
  },
  en: {
    skip: 'Skip to content', nav_overview: 'Overview', nav_map: 'Map', nav_deliveries: 'Deliveries',
    nav_suppliers: 'Suppliers', nav_units: 'Units', nav_upload: 'Upload', nav_board: 'Groupage board', nav_ordering: 'Delivery days', nav_followup: 'Follow-up', language: 'Language',
    logout: 'Log out', login_title: 'Log in', token: 'API token', login: 'Log in',
    public: 'Continue without a token (open data)', overview: 'Overview', period: 'Period',
    weekly: 'Per week', baseline: 'Baseline (first 4 weeks)', map_title: 'Receiving units',
    map_note: 'Circle area is proportional to the number of deliveries.', deliveries_title: 'Deliveries',
    supplier: 'Supplier', site: 'Unit (site)', from: 'From', to: 'To', filter: 'Filter',
    csv: 'Download CSV', more: 'Show more', suppliers_title: 'Suppliers', scorecard: 'Scorecard',
    units_title: 'Units', unit: 'Unit', upload_title: 'Upload data', kind: 'Kind', file: 'File (CSV or JSON)',
    accept_valid: 'Import the valid rows even if others are wrong', send: 'Send', line: 'Line', column: 'Column',
    field: 'Field', reason: 'Error', imported: 'Imported', rejected: 'Rejected – nothing was imported',
    denied: 'Your token does not give access to this.', suppressed: 'hidden (fewer than 3 suppliers)',
    none: 'No rows.', role: 'Role', emissions: 'Emissions (ISO 14083, well-to-wheel)', by_energy_carrier: 'Energy carrier', by_vehicle_class: 'Vehicle class',
  },
};
