import { normalisePhone } from '../domain/accounts/phone-number.ts';
import { loadConfig } from '../infra/config.ts';
import { createOrm } from '../infra/database.ts';
import { runMain } from '../infra/process.ts';

/**
 * `npm run admin:grant -- +821012345678`: gives an existing account the admin role (Bull Board,
 * admin routes). Run it on a machine that can reach the database; there is no HTTP way to do it.
 */
await runMain(async () => {
  // Accounts are stored under the normalised number, so `+82010...` finds the `+8210...` account.
  const phone = /^\+[1-9]\d{7,14}$/.test(process.argv[2] ?? '') ? normalisePhone(process.argv[2]!) : null;
  if (!phone) throw new Error('usage: npm run admin:grant -- <E.164 phone of an existing account>');
  const orm = await createOrm(loadConfig().databaseUrl);
  try {
    const rows = await orm.em.fork().execute<{ id: string }[]>(`update users set role = 'admin', updated_at = now() where phone = ? returning id`, [phone]);
    if (!rows.length) throw new Error('no account has that phone number; sign up first');
    console.log(`account ${rows[0]!.id} is now an admin`);
  } finally {
    await orm.close();
  }
});
