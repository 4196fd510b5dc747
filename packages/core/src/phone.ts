const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** Country calling codes → ISO 3166-1 alpha-2 (the main country of shared codes). */
// prettier-ignore
const CALLING_CODES: ReadonlyMap<string, string> = new Map([
  ['1', 'US'], ['7', 'RU'], ['20', 'EG'], ['27', 'ZA'], ['30', 'GR'], ['31', 'NL'], ['32', 'BE'],
  ['33', 'FR'], ['34', 'ES'], ['36', 'HU'], ['39', 'IT'], ['40', 'RO'], ['41', 'CH'], ['43', 'AT'],
  ['44', 'GB'], ['45', 'DK'], ['46', 'SE'], ['47', 'NO'], ['48', 'PL'], ['49', 'DE'], ['51', 'PE'],
  ['52', 'MX'], ['54', 'AR'], ['55', 'BR'], ['56', 'CL'], ['57', 'CO'], ['58', 'VE'], ['60', 'MY'],
  ['61', 'AU'], ['62', 'ID'], ['63', 'PH'], ['64', 'NZ'], ['65', 'SG'], ['66', 'TH'], ['81', 'JP'],
  ['82', 'KR'], ['84', 'VN'], ['86', 'CN'], ['90', 'TR'], ['91', 'IN'], ['92', 'PK'], ['94', 'LK'],
  ['212', 'MA'], ['213', 'DZ'], ['216', 'TN'], ['233', 'GH'], ['234', 'NG'], ['254', 'KE'],
  ['255', 'TZ'], ['256', 'UG'], ['351', 'PT'], ['352', 'LU'], ['353', 'IE'], ['354', 'IS'],
  ['356', 'MT'], ['357', 'CY'], ['358', 'FI'], ['359', 'BG'], ['370', 'LT'], ['371', 'LV'],
  ['372', 'EE'], ['380', 'UA'], ['385', 'HR'], ['386', 'SI'], ['420', 'CZ'], ['421', 'SK'],
  ['852', 'HK'], ['853', 'MO'], ['880', 'BD'], ['886', 'TW'], ['961', 'LB'], ['962', 'JO'],
  ['965', 'KW'], ['966', 'SA'], ['971', 'AE'], ['972', 'IL'], ['974', 'QA'],
]);
const LONGEST_CODE = 3;

/** Canadian area codes: +1 numbers with these are CA rather than US. */
// prettier-ignore
const CANADIAN_AREA_CODES: ReadonlySet<string> = new Set([
  '204', '226', '236', '249', '250', '263', '289', '306', '343', '354', '365', '367', '368', '382',
  '403', '416', '418', '428', '431', '437', '438', '450', '468', '474', '506', '514', '519', '548',
  '579', '581', '584', '587', '604', '613', '639', '647', '672', '683', '705', '709', '742', '753',
  '778', '780', '782', '807', '819', '825', '867', '873', '879', '902', '905',
]);

/** ISO country of an E.164 number from its calling code (longest match), or undefined. */
export function countryOf(e164: string): string | undefined {
  if (!isE164(e164)) return undefined;
  for (let len = LONGEST_CODE; len >= 1; len--) {
    const country = CALLING_CODES.get(e164.slice(1, 1 + len));
    if (country === undefined) continue;
    if (country === 'US' && CANADIAN_AREA_CODES.has(e164.slice(2, 5))) return 'CA';
    return country;
  }
  return undefined;
}

/** Twilio's magic test-credential numbers and the error each one triggers. */
export const TEST_NUMBERS = {
  to: {
    '+15005550001': 21211,
    '+15005550002': 21612,
    '+15005550003': 21408,
    '+15005550004': 21610,
    '+15005550009': 21614,
  } as Readonly<Record<string, number>>,
  from: {
    '+15005550001': 21212,
    '+15005550007': 21606,
    '+15005550008': 21611,
  } as Readonly<Record<string, number>>,
  validFrom: '+15005550006',
} as const;
