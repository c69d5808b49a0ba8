import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { photoJobs, setListingPhotos } from '../photos/attach-photos.ts';
import { assertPrice } from '../shared/money.ts';
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
  followUps: FollowUpDispatcher,
  sellerId: string,
  input: ListingContent & { price: number; photoIds?: string[] },
): Promise<Listing> {
  assertPrice(input.price, 'price', 'invalid-price');
  await assertCategoryExists(em, input.categoryId);
  return transactionWithFollowUps(em, followUps, async (tx) => {
    // Field by field, never a spread of the input: only these can come from a client.
    const { title, description, categoryId, imageUrls, price } = input;
    const listing = tx.create(Listing, { title, description, categoryId, imageUrls, price, sellerId, saleType: 'fixed', status: 'on_sale' });
    await tx.flush();
    const photos = await setListingPhotos(tx, sellerId, listing.id, input.photoIds ?? []);
    return { value: listing, followUps: { jobs: [...photoJobs(photos), jobs.matchKeywordAlerts(listing.id, new Date())] } };
  });
}
