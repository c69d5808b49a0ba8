import { Migration } from '@mikro-orm/migrations';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers in their one E.164 spelling (libphonenumber), as signup and login now write and
 * look them up: before, `+82010...` and `+8210...` were stored as two accounts for one line.
 * Accounts whose number normalises to one already taken would become duplicates: the migration then
 * fails naming them (as the money ceiling does for rows above it), for an operator to decide which
 * account keeps the line; nothing is changed until they are resolved. Numbers libphonenumber does
 * not recognise are left as they are. Written out here, not imported from domain/: a migration is history.
 */
export class Migration20261201040000_normalise_phones extends Migration {
  override name = 'Migration20261201040000_normalise_phones';

  override async up(): Promise<void> {
    const users = (await this.execute('select id, phone from users order by created_at, id')) as { id: string; phone: string }[];
    const owner = new Map(users.map((u) => [u.phone, u.id]));
    const changes: { id: string; phone: string }[] = [];
    const clashes: string[] = [];
    for (const user of users) {
      const parsed = parsePhoneNumberFromString(user.phone);
      const phone = parsed?.isValid() ? parsed.number : user.phone;
      if (phone === user.phone) continue;
      const taken = owner.get(phone);
      if (taken && taken !== user.id) {
        clashes.push(`${user.id} (same line as ${taken})`);
        continue;
      }
      owner.set(phone, user.id);
      changes.push({ id: user.id, phone });
    }
    if (clashes.length) throw new Error(`accounts share a phone line once normalised; resolve them, then migrate again: ${clashes.join(', ')}`);
    for (const change of changes) await this.execute('update users set phone = ?, updated_at = now() where id = ?', [change.phone, change.id]);
  }

  override down(): void {
    // The earlier spellings are not kept; every normalised number is still a valid E.164 number.
  }
}
