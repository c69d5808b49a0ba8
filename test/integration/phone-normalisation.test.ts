import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createOrm, dropDatabase, ensureDatabase } from '../../infra/database.ts';
import { ADMIN_DATABASE_URL } from '../support/database.ts';

/**
 * Migration20261201040000_normalise_phones on accounts written before it: numbers stored with the
 * domestic trunk 0 (`+82010...`) take their one spelling; two accounts on one line stop the
 * migration, naming them, and change nothing.
 */
async function databaseBeforeNormalising(label: string) {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/gavel_${label}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  const orm = await createOrm(url.toString());
  await orm.migrator.up({ to: 'Migration20261201030000_phone_verifications' });
  const em = orm.em.fork();
  const addUser = async (phone: string) =>
    (await em.execute<{ id: string }[]>(`insert into users (id, phone, password_hash, nickname) values (gen_random_uuid(), ?, 'x', 'n') returning id`, [phone]))[0]!.id;
  const phones = async () => (await em.execute<{ phone: string }[]>('select phone from users order by phone')).map((r) => r.phone);
  return {
    orm, addUser, phones,
    async drop() {
      await orm.close();
      await dropDatabase(url.toString());
    },
  };
}

test('stored numbers with the trunk 0 after +82 are normalised; normal and unknown ones are left alone', async (t) => {
  const db = await databaseBeforeNormalising('phonenorm');
  try {
    await db.addUser('+8201012345678');
    await db.addUser('+821099990000');
    await db.addUser('+15550001234'); // not a real line: kept as stored
    await db.orm.migrator.up();
    t.deepEqual(await db.phones(), ['+15550001234', '+821012345678', '+821099990000']);
  } finally {
    await db.drop();
  }
});

test('two accounts on one line stop the migration, naming both, and change nothing', async (t) => {
  const db = await databaseBeforeNormalising('phoneclash');
  try {
    const first = await db.addUser('+821012345678');
    const second = await db.addUser('+8201012345678');
    await db.addUser('+8201099990000');
    const error = await t.throwsAsync(db.orm.migrator.up());
    t.regex(error!.message, new RegExp(`${second} \\(same line as ${first}\\)`));
    t.deepEqual(await db.phones(), ['+8201012345678', '+8201099990000', '+821012345678']);
  } finally {
    await db.drop();
  }
});
