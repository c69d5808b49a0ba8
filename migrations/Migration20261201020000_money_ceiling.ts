import { Migration } from '@mikro-orm/migrations';

/**
 * The money ceiling in the database: no money column holds more than MAX_PRICE
 * (`domain/shared/money.ts`: 1,000,000,000,000 less the largest bid increment), the bound the request
 * schemas and the rules apply too, so a write that slipped past both is refused instead of stored for
 * every later read of it to fail. The number is written out because a migration is history;
 * `test/integration/money-ceiling-constraints.test.ts` proves it still equals MAX_PRICE.
 *
 * A row already above the ceiling (written before this release) makes the migration fail, naming
 * its constraint: such an auction cannot be shown anyway, so cancel it or correct the row, then
 * migrate again. One ALTER per table, so each table is scanned once.
 */
const MAX_PRICE = 999_999_900_000;

const MONEY_COLUMNS: Record<string, string[]> = {
  listings: ['price'],
  auctions: ['start_price', 'current_price', 'leader_max_amount', 'buy_now_price', 'reserve_price'],
  bids: ['amount', 'max_amount'],
  trades: ['price'],
  offers: ['amount'],
};

export class Migration20261201020000_money_ceiling extends Migration {
  override name = 'Migration20261201020000_money_ceiling';

  override up(): void {
    for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
      // A null (no buy-now price, no maximum) passes a check, as it should.
      const checks = columns.map((column) => `add constraint ${table}_${column}_ceiling check (${column} <= ${MAX_PRICE})`);
      this.addSql(`alter table ${table} ${checks.join(', ')}`);
    }
  }

  override down(): void {
    for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
      this.addSql(`alter table ${table} ${columns.map((column) => `drop constraint if exists ${table}_${column}_ceiling`).join(', ')}`);
    }
  }
}
