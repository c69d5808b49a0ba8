import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid } from '../errors.ts';
import { setListingPhotos, type PhotoChange } from '../photos/attach-photos.ts';
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
  input: ListingContent & { price: number; photoIds?: string[] },
): Promise<{ listing: Listing; photos: PhotoChange }> {
  await assertCategoryExists(em, input.categoryId);
  return em.transactional(async (tx) => {
    // Field by field, never a spread of the input: only these can come from a client.
    const { title, description, categoryId, imageUrls, price } = input;
    const listing = tx.create(Listing, { title, description, categoryId, imageUrls, price, sellerId, saleType: 'fixed', status: 'on_sale' });
    await tx.flush();
    const photos = await setListingPhotos(tx, sellerId, listing.id, input.photoIds ?? []);
    return { listing, photos };
  });
}
