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
  // Field by field, never a spread of the input: only these can come from a client.
  const { title, description, categoryId, imageUrls, price } = input;
  const listing = em.create(Listing, { title, description, categoryId, imageUrls, price, sellerId, saleType: 'fixed', status: 'on_sale' });
  await em.flush();
  return listing;
}
