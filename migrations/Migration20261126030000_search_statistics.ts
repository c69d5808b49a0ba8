import { Migration } from '@mikro-orm/migrations';

/**
 * The planner picks between walking the newest-first index (right for common words) and the GIN
 * index (right for rare ones) from how often it thinks a word occurs. With the default statistics
 * a word it does not track is assumed to match about 0.2 % of listings, so a rare word or a typo
 * walks most of the table. A larger sample of lexeme frequencies makes "rare" look rare.
 */
export class Migration20261126030000_search_statistics extends Migration {
  override name = 'Migration20261126030000_search_statistics';

  override up(): void {
    this.addSql('alter table listings alter column search_vector set statistics 2000');
  }

  override down(): void {
    this.addSql('alter table listings alter column search_vector set statistics -1');
  }
}
