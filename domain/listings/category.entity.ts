import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Categories are reference data seeded by the migrations, not edited through the API. */
export const Category = defineEntity({
  name: 'Category',
  tableName: 'categories',
  properties: {
    id: p.integer().primary(),
    slug: p.string().unique(),
    name: p.string(),
    position: p.integer(),
  },
});
export type Category = InferEntity<typeof Category>;
