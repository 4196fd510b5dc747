/**
 * Word lists the synthetic subscriber data is drawn from. Invented combinations only: no real
 * subscriber data exists anywhere in the lab.
 */

function words(list: string, separator: string): readonly string[] {
  return Object.freeze(list.split(separator));
}

export const FIRST_NAMES: readonly string[] = words(
  'Alex Amara Ana Ben Carla Chen Dana David Elena Emma Farid Grace Hana Ivan James Jin Julia Kofi Laura Leo Lucas Maya Mei Noah Olivia Omar Priya Rafael Rosa Sam Sofia Tom Yusuf Zoe',
  ' ',
);

export const LAST_NAMES: readonly string[] = words(
  'Adams Alvarez Bauer Brown Carter Costa Dubois Evans Fischer Garcia Hansen Ito Jansen Kim Kowalski Lopez Martin Meyer Moreau Nguyen Novak Okafor Patel Rossi Santos Schmidt Silva Smith Tanaka Walker Weber Wilson Young Zhang',
  ' ',
);

export const BUSINESS_WORDS: readonly string[] = words(
  'Acme Bluebird Cedar Harbor Keystone Lakeside Maple Northwind Pioneer Redwood Summit Sunrise',
  ' ',
);

export const BUSINESS_KINDS: readonly string[] = words(
  'Bakery Clinic Consulting Dental Hardware Insurance Logistics Motors Pharmacy Realty',
  ' ',
);

export const STREET_NAMES: readonly string[] = words(
  'Main Street,Oak Avenue,Park Road,Church Lane,Maple Drive,High Street,Elm Street,Station Road,Lake View,Mill Road,Hill Street,River Walk',
  ',',
);

export interface Locality {
  readonly city: string;
  readonly state: string;
  /** Postal code pattern: '#' is a drawn digit, '@' a drawn letter, anything else is kept. */
  readonly postal: string;
}

/** Localities by ISO country; countries without an entry use FALLBACK_LOCALITIES. */
export const LOCALITIES: Readonly<Record<string, readonly Locality[]>> = {
  US: [
    { city: 'San Francisco', state: 'CA', postal: '941##' },
    { city: 'Seattle', state: 'WA', postal: '981##' },
    { city: 'New York', state: 'NY', postal: '100##' },
    { city: 'Austin', state: 'TX', postal: '787##' },
    { city: 'Chicago', state: 'IL', postal: '606##' },
    { city: 'Denver', state: 'CO', postal: '802##' },
  ],
  CA: [
    { city: 'Toronto', state: 'ON', postal: 'M5V #@#' },
    { city: 'Vancouver', state: 'BC', postal: 'V6B #@#' },
  ],
  GB: [
    { city: 'London', state: 'ENG', postal: 'EC1A #@@' },
    { city: 'Manchester', state: 'ENG', postal: 'M1 #@@' },
    { city: 'Edinburgh', state: 'SCT', postal: 'EH1 #@@' },
  ],
  FR: [
    { city: 'Paris', state: 'IDF', postal: '750##' },
    { city: 'Lyon', state: 'ARA', postal: '690##' },
  ],
  DE: [
    { city: 'Berlin', state: 'BE', postal: '101##' },
    { city: 'Munich', state: 'BY', postal: '803##' },
  ],
};

export const FALLBACK_LOCALITIES: readonly Locality[] = [
  { city: 'Capital City', state: 'CC', postal: '10###' },
];
