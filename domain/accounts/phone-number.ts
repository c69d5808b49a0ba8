import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A phone line in one spelling: parsed with libphonenumber's full metadata, so that `+82010...`
 * (the domestic trunk 0 kept after the country code) and `+8210...` are one line and one account.
 * Returns the E.164 form, or null for a number no network would route.
 */
export function normalisePhone(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input);
  return parsed?.isValid() ? parsed.number : null;
}
