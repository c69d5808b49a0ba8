import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid } from '../errors.ts';
import { Category } from './category.entity.ts';
import { Listing } from './listing.entity.ts';

export interface ListingContent {
  title: string;
  description: string;
  categoryId: number;
  imageUrls: string[];
}

export async function assertCategoryExists(em: EntityManager, categoryId: number): Promise<void> {
  if (!(await em.count(Category, { id: categoryId }))) {
    throw invalid('unknown-category', `There is no category ${categoryId}.`);
  }
}

export async function createFixedPriceListing(
  em: EntityManager,
  sellerId: string,
  input: ListingContent & { price: number },
): Promise<Listing> {
  await assertCategoryExists(em, input.categoryId);
  const listing = em.create(Listing, { ...input, sellerId, saleType: 'fixed', status: 'on_sale' });
  await em.flush();
  return listing;
}
